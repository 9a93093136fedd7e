"""The drawing of figures (matplotlib, Agg canvas): `style` is how every figure looks, `data` what
experiment figures are drawn from, and each other module draws one kind of figure."""
