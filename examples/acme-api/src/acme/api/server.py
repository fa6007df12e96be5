"""HTTP entry point: routes requests to handlers."""
import json
import os
from http.server import BaseHTTPRequestHandler, HTTPServer

from acme.db.orders import OrderStore


class Handler(BaseHTTPRequestHandler):
    store = OrderStore()

    def do_GET(self):
        if self.path.startswith("/orders/"):
            order = self.store.get(self.path.rsplit("/", 1)[-1])
            body = json.dumps(order or {"error": "not found"}).encode()
            self.send_response(200 if order else 404)
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_response(404)
            self.end_headers()


def main():
    port = int(os.environ.get("PORT", "8000"))
    HTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
