"""The interop.Test service (see TestMethods.cs) on grpcio, over raw bytes.

Usage: interop_server.py [bearer-token [certificate.pem key.pem]]
Binds 127.0.0.1 on a port the OS picks, prints the port, and serves until stdin closes.
With a token, every call must carry "authorization: Bearer <token>" or gets UNAUTHENTICATED.
With a certificate and its key (PEM), it serves TLS (grpcio's own, BoringSSL) instead of h2c.
"""
import hashlib
import sys
import threading
import time
from concurrent import futures

import grpc

SERVICE = "interop.Test"
EVENTS = {}
EVENTS_CHANGED = threading.Condition()


def pattern(index, size):
    return bytes((index * 31 + j) % 251 for j in range(size))


def unary(request, context):
    metadata = dict(context.invocation_metadata())
    echoed = []
    for key in ("x-echo", "x-bin-bin"):
        if key in metadata:
            echoed.append((key, metadata[key]))
    if "authorization" in metadata:
        echoed.append(("x-authorization", metadata["authorization"]))
    context.send_initial_metadata(echoed)
    context.set_trailing_metadata(echoed)
    return request


def client_stream(requests, context):
    return b"".join(requests)


def digest(requests, context):
    sha = hashlib.sha256()
    total = 0
    for request in requests:
        sha.update(request)
        total += len(request)
    return ("%s:%d" % (sha.hexdigest(), total)).encode()


def server_stream(request, context):
    count, size = (int(x) for x in request.decode().split(","))
    for i in range(count):
        yield pattern(i, size)


def bidi(requests, context):
    for request in requests:
        yield request


def fail(request, context):
    code, message = request.decode("utf-8").split("|", 1)
    status = next(s for s in grpc.StatusCode if s.value[0] == int(code))
    context.set_trailing_metadata((("x-fail-trailer", "yes"),))
    context.abort(status, message)


def record(tag, outcome):
    with EVENTS_CHANGED:
        EVENTS[tag] = outcome
        EVENTS_CHANGED.notify_all()


def sleep(request, context):
    """Answers the tag once, waits until the call ends (30 s at most) and records how: 'cancelled' if the client went away."""
    tag = request.decode()
    try:
        yield request
        end = time.monotonic() + 30
        while context.is_active() and time.monotonic() < end:
            time.sleep(0.01)
    finally:
        # grpcio stops resuming this generator (it is closed at the yield) when the cancellation lands
        # before its send completes, so the outcome is recorded on every way out.
        record(tag, "timeout" if context.is_active() else "cancelled")


def events(request, context):
    """Answers how the Sleep call with this tag ended, waiting for it 10 s at most."""
    tag = request.decode()
    with EVENTS_CHANGED:
        EVENTS_CHANGED.wait_for(lambda: tag in EVENTS, timeout=10)
        return EVENTS.get(tag, "none").encode()


class BearerToken(grpc.ServerInterceptor):
    def __init__(self, token):
        self._expected = "Bearer " + token

        def refuse(request, context):
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "missing or wrong bearer token")

        # One refusal per call shape: grpcio answers a handler of the wrong shape with UNIMPLEMENTED.
        self._refusals = {
            (False, False): grpc.unary_unary_rpc_method_handler(refuse),
            (True, False): grpc.stream_unary_rpc_method_handler(refuse),
            (False, True): grpc.unary_stream_rpc_method_handler(refuse),
            (True, True): grpc.stream_stream_rpc_method_handler(refuse),
        }

    def intercept_service(self, continuation, details):
        if dict(details.invocation_metadata).get("authorization") == self._expected:
            return continuation(details)
        handler = continuation(details)
        if handler is None:
            return self._refusals[(False, False)]
        return self._refusals[(handler.request_streaming, handler.response_streaming)]


def main():
    interceptors = [BearerToken(sys.argv[1])] if len(sys.argv) > 1 else []
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16), interceptors=interceptors)
    handlers = {
        "Unary": grpc.unary_unary_rpc_method_handler(unary),
        "ClientStream": grpc.stream_unary_rpc_method_handler(client_stream),
        "Digest": grpc.stream_unary_rpc_method_handler(digest),
        "ServerStream": grpc.unary_stream_rpc_method_handler(server_stream),
        "Bidi": grpc.stream_stream_rpc_method_handler(bidi),
        "Fail": grpc.unary_unary_rpc_method_handler(fail),
        "Sleep": grpc.unary_stream_rpc_method_handler(sleep),
        "Events": grpc.unary_unary_rpc_method_handler(events),
    }
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
    if len(sys.argv) > 3:
        with open(sys.argv[2], "rb") as certificate, open(sys.argv[3], "rb") as key:
            port = server.add_secure_port("127.0.0.1:0", grpc.ssl_server_credentials([(key.read(), certificate.read())]))
    else:
        port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    sys.stdin.read()
    server.stop(0)


if __name__ == "__main__":
    main()
