"""Seed 000: the FCN warmup + poly(0.9) schedule (LambdaLR semantics), its 30 printed per-epoch
values reproduced bit for bit with the public core API."""

import fastlr as fl

# printed by the seed's loop at the end of each epoch: initlr * f(x) with x = (epoch + 1) * 366
PRINTED = """0.0001 9.689113204622e-05 9.377113865345655e-05 9.063956551818755e-05 8.749592154663483e-05
8.433967427912744e-05 8.117024453014075e-05 7.798700006942841e-05 7.478924812104509e-05 7.157622639192217e-05
6.834709225327746e-05 6.510090957654228e-05 6.183663255563447e-05 5.855308560613402e-05 5.52489380827954e-05
5.19226720411192e-05 4.857254048910653e-05 4.5196512365661785e-05 4.179219854861471e-05 3.835674999767602e-05
3.4886713635556415e-05 3.137782165113512e-05 2.782467099882336e-05 2.4220211276354852e-05 2.055487337832409e-05
1.6814958278941684e-05 1.2979289851509707e-05 9.01091302851232e-06 4.828828728591015e-06 0.0"""


def test_seed000_bit_for_bit():
    num_step, epochs, warmup_epochs, factor, initlr = 366, 30, 1, 1e-3, 1e-4
    w = warmup_epochs * num_step
    # lambda(x) = factor (1 - x/w) + x/w for x <= w, then (1 - (x - w)/((epochs - w_e) num_step))^0.9
    sched = fl.Schedule(
        fl.Polynomial(1.0, 0.0, (epochs - warmup_epochs) * num_step, power=0.9),
        warmup=fl.Warmup(w, start=factor * initlr),
        scale=initlr,
    )
    table = sched.table(epochs * num_step + 1)
    got = [table[(e + 1) * num_step] for e in range(epochs)]
    expected = [float(v) for v in PRINTED.split()]
    assert got == expected
