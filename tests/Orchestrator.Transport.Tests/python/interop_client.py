"""Calls a server of the interop.Test service (see TestMethods.cs) with grpcio and prints each case's outcome as JSON.

Usage: interop_client.py <port> <bearer-token> [<authority.pem>] [--cases=a,b,...]
With an authority, the channel is TLS (grpcio's own, BoringSSL) trusting that PEM certificate alone. With --cases, only
the cases named run (a lane server, say, serves only its in-place methods).
Prints one JSON object: case name -> {"code": status name, "details": ..., plus what the case saw}.
"""
import hashlib
import json
import sys

import grpc

SERVICE = "/interop.Test/"


def outcome(error=None, **seen):
    if error is None:
        return {"code": "OK", "details": "", **seen}
    return {"code": error.code().name, "details": error.details() or "", **seen}


def metadata_dict(pairs):
    return {k: (v.hex() if isinstance(v, bytes) else v) for k, v in (pairs or ())}


def run_case(name, case, results):
    try:
        results[name] = case()
    except grpc.RpcError as error:
        results[name] = outcome(error)


def main():
    arguments = [a for a in sys.argv[1:] if not a.startswith("--cases=")]
    selected = [a[len("--cases="):].split(",") for a in sys.argv[1:] if a.startswith("--cases=")]
    port, token = arguments[0], arguments[1]
    auth = (("authorization", "Bearer " + token),)
    if len(arguments) > 2:
        with open(arguments[2], "rb") as authority:
            channel = grpc.secure_channel("127.0.0.1:" + port, grpc.ssl_channel_credentials(root_certificates=authority.read()))
    else:
        channel = grpc.insecure_channel("127.0.0.1:" + port)
    unary = channel.unary_unary(SERVICE + "Unary")
    results = {}

    def case_unary():
        response, call = unary.with_call(b"hello", metadata=auth + (("x-echo", "abc"), ("x-bin-bin", b"\x00\x01\xff")))
        return outcome(response=response.decode(), initial=metadata_dict(call.initial_metadata()),
                       trailing=metadata_dict(call.trailing_metadata()))

    def case_client_stream():
        response = channel.stream_unary(SERVICE + "ClientStream")(iter([b"a", b"bc", b"def"]), metadata=auth)
        return outcome(response=response.decode())

    def case_digest():
        # Empty, small, and larger than one HTTP/2 frame of grpcio's (16 KiB): the SHA-256 and length of them all.
        messages = [b"", b"a" * 1000, bytes(i % 251 for i in range(3 * 1024 * 1024 + 7))]
        response = channel.stream_unary(SERVICE + "Digest")(iter(messages), metadata=auth)
        return outcome(response=response.decode(), expected="%s:%d" % (hashlib.sha256(b"".join(messages)).hexdigest(), sum(map(len, messages))))

    def case_server_stream():
        responses = channel.unary_stream(SERVICE + "ServerStream")(b"3,4", metadata=auth)
        return outcome(responses=[r.hex() for r in responses])

    def case_bidi():
        responses = channel.stream_stream(SERVICE + "Bidi")(iter([b"one", b"two", b"three"]), metadata=auth)
        return outcome(responses=[r.decode() for r in responses])

    def case_error():
        try:
            unary_fail = channel.unary_unary(SERVICE + "Fail")
            unary_fail("3|bad argument: 100% \u00fc \u2713".encode("utf-8"), metadata=auth)
            return outcome()
        except grpc.RpcError as error:
            return outcome(error, trailing=metadata_dict(error.trailing_metadata()))

    def case_deadline():
        list(channel.unary_stream(SERVICE + "Sleep")(b"py-deadline", metadata=auth, timeout=0.5))
        return outcome()

    def case_cancel():
        call = channel.unary_stream(SERVICE + "Sleep")(b"py-cancel", metadata=auth)
        next(call)  # the handler runs once its first answer arrives
        call.cancel()
        try:
            list(call)
            return outcome()
        except grpc.RpcError as error:
            return outcome(error)

    def case_no_token():
        unary(b"hello")
        return outcome()

    def case_wrong_token():
        unary(b"hello", metadata=(("authorization", "Bearer wrong"),))
        return outcome()

    def case_unimplemented():
        channel.unary_unary(SERVICE + "Missing")(b"", metadata=auth)
        return outcome()

    def case_too_large():
        unary(b"x" * (5 * 1024 * 1024), metadata=auth)
        return outcome()

    for name, case in sorted(locals().items()):
        if name.startswith("case_") and (not selected or name[len("case_"):] in selected[0]):
            run_case(name[len("case_"):], case, results)
    channel.close()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
