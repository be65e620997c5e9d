"""List your home directory through the Nexus socket bound into the sandbox."""
import http.client
import json
import os
import socket


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost")
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.unix_path)


def call(method, params):
    url = os.environ["NEXUS_URL"]
    conn = UnixConnection(url[len("unix://"):])
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
    conn.request("POST", "/api/nfs/" + method, body,
                 {"Authorization": "Bearer " + os.environ["NEXUS_API_KEY"],
                  "Content-Type": "application/json"})
    return json.loads(conn.getresponse().read())


print(call("list", {"path": "/", "recursive": False}))
