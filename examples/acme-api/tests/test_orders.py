from acme.db.orders import OrderStore


def test_get_known_order():
    assert OrderStore().get("1001")["status"] == "shipped"


def test_get_unknown_order():
    assert OrderStore().get("nope") is None
