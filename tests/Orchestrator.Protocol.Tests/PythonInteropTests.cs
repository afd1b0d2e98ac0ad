using System.Security.Cryptography;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Orchestrator.Protocol.V1;
using Orchestrator.Transport;
using Orchestrator.Transport.Client;
using Orchestrator.Transport.Server;
using Orchestrator.Transport.Tests;

namespace Orchestrator.Protocol.Tests;

/// <summary>The real contracts across languages: grpcio with protoc-generated python messages on one side, our transport and Google.Protobuf on the other.</summary>
public sealed class PythonInteropTests
{
    private const string Token = "contract-token";
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    /// <summary>value(i) = i · 0.5 for element i of a buffer, as python/protocol_peer.py expects and produces.</summary>
    private static float[] Values(long offset, int count) => Enumerable.Range(0, count).Select(i => (offset + i) * 0.5f).ToArray();

    private static ByteString Bytes(float[] values) => ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));

    private static readonly byte[] Checkpoint = RandomNumberGenerator.GetBytes(300_000);

    [Fact]
    public async Task python_client_calls_our_coordinator_and_worker_methods()
    {
        var service = ServiceDefinition.CreateBuilder()
            .AddMethod(CoordinatorMethods.RegisterWorker, (request, _) => Task.FromResult(new RegisterWorkerResponse
            {
                Incarnation = 3,
                Lease = new Lease
                {
                    LeaseId = $"{request.WorkerId}@{request.Device.Name}/{request.Device.IntraOpThreads}:{string.Join("+", request.Architectures)}",
                    HeartbeatInterval = Duration.FromTimeSpan(TimeSpan.FromSeconds(5)),
                    ExpiresAt = Timestamp.FromDateTime(new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc)),
                },
            }))
            .AddMethod(WorkerMethods.PushGradients, async (IAsyncStreamReader<GradientChunk> chunks, ServerCallContext _) =>
            {
                var receipt = new GradientReceipt();
                await foreach (GradientChunk chunk in chunks.ReadAllAsync())
                {
                    float[] values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(chunk.Data.Span).ToArray();
                    if (chunk.Phase != ReducePhase.ReduceScatter || chunk.ShardEnd != 4 || !values.SequenceEqual(Values(chunk.Offset, values.Length)))
                        throw new RpcException(StatusCode.InvalidArgument, $"chunk {chunk.ChunkIndex} is not what was sent");
                    receipt.Chunks++;
                    receipt.Bytes += chunk.Data.Length;
                }
                return receipt;
            })
            .AddMethod(WorkerMethods.FetchState, async (FetchStateRequest request, IAsyncStreamWriter<CheckpointChunk> chunks, ServerCallContext _) =>
            {
                byte[] sha = SHA256.HashData(Checkpoint);
                for (int offset = 0; offset < Checkpoint.Length; offset += request.ChunkBytes)
                {
                    int length = Math.Min(request.ChunkBytes, Checkpoint.Length - offset);
                    await chunks.WriteAsync(new CheckpointChunk
                    {
                        Checkpoint = new CheckpointRef { RunId = request.RunId, CheckpointId = $"state-{request.MinVersion}", Kind = CheckpointKind.Run, Step = request.MinVersion },
                        Offset = offset,
                        TotalBytes = Checkpoint.Length,
                        Data = ByteString.CopyFrom(Checkpoint, offset, length),
                        Sha256 = offset + length == Checkpoint.Length ? ByteString.CopyFrom(sha) : ByteString.Empty,
                    });
                }
            })
            .Build();
        await using var server = new GrpcServer(new GrpcServerOptions { BearerToken = Token }, service);
        await server.StartAsync();
        await using var client = PythonProcess.Start("protocol_peer.py", "client", server.Address.Port.ToString(), Token);
        JsonElement results = JsonDocument.Parse(await client.ReadToEndAsync()).RootElement;

        JsonElement register = results.GetProperty("register");
        Assert.Equal("py-worker@cuda:0/2:convnet3+resnet18", register.GetProperty("lease_id").GetString());
        Assert.Equal(3, register.GetProperty("incarnation").GetInt64());
        Assert.Equal(5, register.GetProperty("heartbeat_seconds").GetInt64());
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), register.GetProperty("expires_seconds").GetInt64());

        JsonElement push = results.GetProperty("push");
        Assert.Equal(4, push.GetProperty("chunks").GetInt64());
        Assert.Equal(4 * 256 * 4, push.GetProperty("bytes").GetInt64());

        JsonElement download = results.GetProperty("download");
        Assert.Equal(Checkpoint.Length, download.GetProperty("bytes").GetInt32());
        Assert.Equal(Checkpoint.Length, download.GetProperty("total_bytes").GetInt32());
        Assert.True(download.GetProperty("sha256_matches").GetBoolean());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Checkpoint)), download.GetProperty("sha256").GetString());
        Assert.Equal(["state-12"], download.GetProperty("ids").EnumerateArray().Select(e => e.GetString()!));
    }

    [Fact]
    public async Task our_client_calls_a_python_server_of_the_same_contracts()
    {
        await using var peer = PythonProcess.Start("protocol_peer.py", "server", Token);
        int port = int.Parse(await peer.ReadLineAsync());
        using var channel = new GrpcChannel(new Uri($"http://127.0.0.1:{port}"), new GrpcChannelOptions { BearerToken = Token });
        CallInvoker invoker = channel.CreateCallInvoker();

        using (var push = invoker.AsyncClientStreamingCall(WorkerMethods.PushGradients))
        {
            for (int i = 0; i < 8; i++)
                await push.RequestStream.WriteAsync(new GradientChunk
                {
                    RunId = "run-7", Step = 3, Buffer = "generator", Phase = ReducePhase.AllGather, Round = 1, SenderRank = 2,
                    Segment = 0, ChunkIndex = i, Offset = 1000L * i, Data = Bytes(Values(1000L * i, 1000)),
                });
            await push.RequestStream.CompleteAsync();
            GradientReceipt receipt = await push.ResponseAsync.WaitAsync(HangGuard);
            Assert.Equal(8, receipt.Chunks);
            Assert.Equal(8 * 1000 * 4, receipt.Bytes);
        }

        using (var wrong = invoker.AsyncClientStreamingCall(WorkerMethods.PushGradients))
        {
            await wrong.RequestStream.WriteAsync(new GradientChunk { RunId = "run-7", Phase = ReducePhase.AllGather, ChunkIndex = 5, Data = Bytes([1f, 2f]) });
            await wrong.RequestStream.CompleteAsync();
            var error = await Assert.ThrowsAsync<RpcException>(() => wrong.ResponseAsync.WaitAsync(HangGuard));
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            Assert.Contains("chunk 5", error.Status.Detail);
        }

        var spec = new RunSpec { Name = "mnist-ipc10", ConfigYaml = "dataset: mnist\nipc: 10\n", Overrides = { ["seed"] = "3" } };
        using (var submit = invoker.AsyncUnaryCall(ControlMethods.SubmitRun, new SubmitRunRequest { Spec = spec, IdempotencyKey = "k" }))
        {
            SubmitRunResponse response = await submit.ResponseAsync.WaitAsync(HangGuard);
            Assert.Equal($"mnist-ipc10/3/{spec.ConfigYaml.Length}", response.RunId);
            Assert.True(response.AlreadyExisted);
            Assert.Equal(RunState.Queued, response.State);
        }

        using (var fetch = invoker.AsyncServerStreamingCall(WorkerMethods.FetchState, new FetchStateRequest { RunId = "run-7", MinVersion = 9, ChunkBytes = 30_000 }))
        {
            var received = new List<byte>();
            byte[]? digest = null;
            await foreach (CheckpointChunk chunk in fetch.ResponseStream.ReadAllAsync().WithCancellation(new CancellationTokenSource(HangGuard).Token))
            {
                Assert.Equal(received.Count, chunk.Offset);
                Assert.Equal(("run-7", "state-9", 9L, CheckpointKind.Run, 100_000L),
                    (chunk.Checkpoint.RunId, chunk.Checkpoint.CheckpointId, chunk.Checkpoint.Step, chunk.Checkpoint.Kind, chunk.TotalBytes));
                Assert.InRange(chunk.Data.Length, 1, 30_000);
                received.AddRange(chunk.Data);
                if (!chunk.Sha256.IsEmpty) digest = chunk.Sha256.ToByteArray();
            }
            Assert.Equal(Enumerable.Range(0, 100_000).Select(i => (byte)(i % 251)), received);
            Assert.Equal(SHA256.HashData(received.ToArray()), digest);
        }
    }
}
