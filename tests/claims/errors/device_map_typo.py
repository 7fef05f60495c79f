from kb.claims import claim


@claim(
    "An unknown `device_map` string raises a `ValueError` that lists the accepted strategy strings."
)
def raises_value_error(error):
    assert type(error) is ValueError
    assert str(error) == (
        "When passing device_map as a string, the value needs to be a device name (e.g. cpu, "
        "cuda:0) or 'auto', 'balanced', 'balanced_low_0', 'sequential' but found gpu."
    )
