"""In-memory order store; the real one talks to PostgreSQL via DATABASE_URL."""


class OrderStore:
    def __init__(self):
        self._orders = {"1001": {"id": "1001", "status": "shipped", "total": 42.50}}

    def get(self, order_id):
        return self._orders.get(order_id)

    def put(self, order):
        self._orders[order["id"]] = order
