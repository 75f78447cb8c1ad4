"""A tiny HTTP server around MiniLM for the TypeScript client (stdlib only, localhost)."""

import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from minillm import MiniLM, ModelConfig

from utils import greedy_decode

MODEL = MiniLM(ModelConfig())


class Handler(BaseHTTPRequestHandler):
    def _send(self, status: int, payload: dict) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/health":
            self._send(200, {"ok": True})
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self):
        if self.path != "/generate":
            self._send(404, {"error": "not found"})
            return
        length = int(self.headers.get("content-length", 0))
        req = json.loads(self.rfile.read(length) or b"{}")
        started = time.perf_counter()
        tokens = greedy_decode(MODEL, list(req.get("prompt", "").encode()), req.get("maxTokens", 16))
        self._send(200, {
            "text": bytes(tokens).decode(errors="replace"),
            "tokens": tokens,
            "elapsedMs": (time.perf_counter() - started) * 1000,
        })


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", 8000), Handler).serve_forever()
