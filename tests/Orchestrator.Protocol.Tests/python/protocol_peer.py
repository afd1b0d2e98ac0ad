"""A grpcio peer speaking the orchestrator's own contracts, through *_pb2 modules generated from protos/.

Usage:
  protocol_peer.py server <token>         serves Worker.PushGradients, Control.SubmitRun and Worker.FetchState
                                          on 127.0.0.1 (port printed), until stdin closes
  protocol_peer.py client <port> <token>  calls our Coordinator.RegisterWorker, Worker.PushGradients and
                                          Worker.FetchState, and prints what it got as JSON
Gradient values follow value(i) = i * 0.5 for element i of the whole buffer, and the state file's byte i is i % 251,
so each side can check the other's.
"""
import array
import hashlib
import json
import sys
from concurrent import futures

import grpc

from orchestrator.v1 import common_pb2, control_pb2, coordinator_pb2, transfer_pb2, worker_pb2


def floats(data):
    values = array.array("f")
    values.frombytes(data)
    return values


def expected(offset, count):
    return array.array("f", ((offset + i) * 0.5 for i in range(count)))


def push_gradients(chunks, context):
    count = total = 0
    for chunk in chunks:
        values = floats(chunk.data)
        if chunk.run_id != "run-7" or chunk.phase != worker_pb2.REDUCE_PHASE_ALL_GATHER or values != expected(chunk.offset, len(values)):
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "chunk %d does not hold the expected values" % chunk.chunk_index)
        count += 1
        total += len(chunk.data)
    return worker_pb2.GradientReceipt(chunks=count, bytes=total)


def submit_run(request, context):
    spec = request.spec
    run_id = "%s/%s/%d" % (spec.name, spec.overrides["seed"], len(spec.config_yaml))
    return control_pb2.SubmitRunResponse(run_id=run_id, already_existed=bool(request.idempotency_key),
                                         state=common_pb2.RUN_STATE_QUEUED)


def fetch_state(request, context):
    blob = bytes(i % 251 for i in range(100_000))
    digest = hashlib.sha256(blob).digest()
    reference = transfer_pb2.CheckpointRef(run_id=request.run_id, checkpoint_id="state-%d" % request.min_version,
                                           kind=transfer_pb2.CHECKPOINT_KIND_RUN, step=request.min_version)
    for offset in range(0, len(blob), request.chunk_bytes):
        data = blob[offset:offset + request.chunk_bytes]
        yield transfer_pb2.CheckpointChunk(checkpoint=reference, offset=offset, total_bytes=len(blob), data=data,
                                           sha256=digest if offset + len(data) == len(blob) else b"")


def serve(token):
    expected_auth = "Bearer " + token

    class Auth(grpc.ServerInterceptor):
        def intercept_service(self, continuation, details):
            if dict(details.invocation_metadata).get("authorization") == expected_auth:
                return continuation(details)
            return grpc.unary_unary_rpc_method_handler(
                lambda request, context: context.abort(grpc.StatusCode.UNAUTHENTICATED, "bad token"))

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8), interceptors=[Auth()])
    server.add_generic_rpc_handlers((
        grpc.method_handlers_generic_handler("orchestrator.v1.Worker", {
            "PushGradients": grpc.stream_unary_rpc_method_handler(
                push_gradients, request_deserializer=worker_pb2.GradientChunk.FromString,
                response_serializer=worker_pb2.GradientReceipt.SerializeToString),
            "FetchState": grpc.unary_stream_rpc_method_handler(
                fetch_state, request_deserializer=worker_pb2.FetchStateRequest.FromString,
                response_serializer=transfer_pb2.CheckpointChunk.SerializeToString)}),
        grpc.method_handlers_generic_handler("orchestrator.v1.Control", {
            "SubmitRun": grpc.unary_unary_rpc_method_handler(
                submit_run, request_deserializer=control_pb2.SubmitRunRequest.FromString,
                response_serializer=control_pb2.SubmitRunResponse.SerializeToString)}),
    ))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    sys.stdin.read()
    server.stop(0)


def call(port, token):
    channel = grpc.insecure_channel("127.0.0.1:" + port)
    auth = (("authorization", "Bearer " + token),)
    results = {}

    register = channel.unary_unary("/orchestrator.v1.Coordinator/RegisterWorker",
                                   request_serializer=coordinator_pb2.RegisterWorkerRequest.SerializeToString,
                                   response_deserializer=coordinator_pb2.RegisterWorkerResponse.FromString)
    answer = register(coordinator_pb2.RegisterWorkerRequest(
        worker_id="py-worker", address="http://127.0.0.1:1",
        device=common_pb2.Device(name="cuda:0", memory_bytes=80 << 30, intra_op_threads=2),
        architectures=["convnet3", "resnet18"]), metadata=auth)
    results["register"] = {"lease_id": answer.lease.lease_id, "incarnation": answer.incarnation,
                           "heartbeat_seconds": answer.lease.heartbeat_interval.seconds,
                           "expires_seconds": answer.lease.expires_at.seconds}

    push = channel.stream_unary("/orchestrator.v1.Worker/PushGradients",
                                request_serializer=worker_pb2.GradientChunk.SerializeToString,
                                response_deserializer=worker_pb2.GradientReceipt.FromString)
    chunks = (worker_pb2.GradientChunk(run_id="run-7", step=3, buffer="generator", phase=worker_pb2.REDUCE_PHASE_REDUCE_SCATTER,
                                       segment=1, chunk_index=i, offset=256 * i, data=expected(256 * i, 256).tobytes(),
                                       shard_begin=0, shard_end=4) for i in range(4))
    receipt = push(chunks, metadata=auth)
    results["push"] = {"chunks": receipt.chunks, "bytes": receipt.bytes}

    fetch = channel.unary_stream("/orchestrator.v1.Worker/FetchState",
                                 request_serializer=worker_pb2.FetchStateRequest.SerializeToString,
                                 response_deserializer=transfer_pb2.CheckpointChunk.FromString)
    blob, last, ids = bytearray(), None, set()
    for chunk in fetch(worker_pb2.FetchStateRequest(run_id="run-7", min_version=12, chunk_bytes=65536), metadata=auth):
        if chunk.offset != len(blob):
            raise SystemExit("chunk at offset %d after %d bytes" % (chunk.offset, len(blob)))
        blob += chunk.data
        ids.add(chunk.checkpoint.checkpoint_id)
        last = chunk
    results["download"] = {"bytes": len(blob), "total_bytes": last.total_bytes, "ids": sorted(ids),
                           "sha256_matches": hashlib.sha256(blob).digest() == last.sha256,
                           "sha256": hashlib.sha256(blob).hexdigest()}
    channel.close()
    print(json.dumps(results))


if __name__ == "__main__":
    if sys.argv[1] == "server":
        serve(sys.argv[2])
    else:
        call(sys.argv[2], sys.argv[3])
