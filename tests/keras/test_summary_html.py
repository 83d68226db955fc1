"""Model._repr_html_: model.summary() as an HTML table for Jupyter, the same rows and totals."""
from passos.keras.layers import Concatenate, Dense, Input
from passos.keras.models import Model, Sequential
from html_table import Checked


def printed(model):
    lines = []
    model.summary(line_length=200, print_fn=lines.append)  # wide: no field is cut
    return [" ".join(line.split()) for line in lines if line.strip("_= ")]


def test_a_sequential_models_html_has_the_summary_rows_and_totals():
    model = Sequential([Dense(128, activation="relu", input_shape=(784,)), Dense(10)])
    table = Checked(model._repr_html_())
    assert table.rows[0] == ["Layer (type)", "Output Shape", "Param #"]
    assert [r[1:] for r in table.rows[1:]] == [["(None, 128)", "100480"], ["(None, 10)", "1290"]]
    assert all(r[0].endswith(" (Dense)") for r in table.rows[1:])
    assert [" ".join(" ".join(r).split()) for r in table.rows] == printed(model)[:3]
    assert "Total params: 101,770" in table.outside and "Non-trainable params: 0" in table.outside
    assert f"Model: {model.name}" in table.outside


def test_a_functional_models_html_has_the_connected_to_column():
    a, b = Input((3,), name="a"), Input((2,), name="b")
    joined = Concatenate(name="join")([Dense(4, name="da")(a), Dense(4, name="db")(b)])
    model = Model([a, b], Dense(1, name="out")(joined))
    table = Checked(model._repr_html_())
    assert table.rows[0][-1] == "Connected to"
    assert [" ".join(" ".join(r).split()) for r in table.rows] == printed(model)[:len(table.rows)]
    join_rows = [r for r in table.rows if r[0].startswith("join") or r[0] == ""]
    assert [r[-1] for r in join_rows] == ["da[0][0]", "db[0][0]"]
    assert "Total params: 37" in table.outside


def test_an_unbuilt_model_falls_back_to_its_plain_repr():
    model = Sequential([Dense(3)])
    assert model._repr_html_() is None
