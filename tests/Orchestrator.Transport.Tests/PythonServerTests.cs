using System.Security.Cryptography;
using System.Text;
using Orchestrator.Transport.Client;
using Orchestrator.Transport.Lanes;

namespace Orchestrator.Transport.Tests;

/// <summary>Wire compatibility: our client calls a grpcio 1.51 server (Debian python3-grpcio), over h2c and over TLS.</summary>
public abstract class PythonServerTests(PythonServerFixture fixture) : ClientStackTests
{
    /// <summary>
    /// The classes against a grpcio server run one after another, not side by side: the deadline and cancellation cases
    /// give the python server 500 ms to start a handler, which four servers busy at once on two cores did not always do.
    /// </summary>
    public const string PythonServers = "python servers";

    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    private CallInvoker Invoker => fixture.Invoker(DirectHttp2);

    [Fact]
    public async Task unary_call_echoes_message_and_metadata_both_ways()
    {
        var headers = new Metadata().Add("x-echo", "abc").Add("x-bin-bin", [0, 1, 255]);
        using var call = Invoker.AsyncUnaryCall(TestMethods.Unary, "hello"u8.ToArray(), new CallOptions(headers));
        Assert.Equal("hello", Encoding.UTF8.GetString(await call.ResponseAsync.WaitAsync(HangGuard)));
        foreach (Metadata metadata in new[] { await call.ResponseHeadersAsync, call.GetTrailers() })
        {
            Assert.Equal("abc", metadata.GetValue("x-echo"));
            Assert.Equal(new byte[] { 0, 1, 255 }, metadata.GetValueBytes("x-bin-bin"));
            Assert.Equal($"Bearer {PythonServerFixture.Token}", metadata.GetValue("x-authorization"));
        }
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task client_streaming_call_gets_the_concatenation()
    {
        using var call = Invoker.AsyncClientStreamingCall(TestMethods.ClientStream);
        foreach (string part in new[] { "a", "bc", "def" }) await call.RequestStream.WriteAsync(Encoding.UTF8.GetBytes(part));
        await call.RequestStream.CompleteAsync();
        Assert.Equal("abcdef", Encoding.UTF8.GetString(await call.ResponseAsync.WaitAsync(HangGuard)));
    }

    [Fact]
    public async Task server_streaming_call_gets_every_message_in_order()
    {
        using var call = Invoker.AsyncServerStreamingCall(TestMethods.ServerStream, "3,4"u8.ToArray());
        var received = new List<byte[]>();
        await foreach (byte[] message in call.ResponseStream.ReadAllAsync().WithCancellation(new CancellationTokenSource(HangGuard).Token))
            received.Add(message);
        Assert.Equal(Enumerable.Range(0, 3).Select(i => TestMethods.Pattern(i, 4)), received);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task duplex_call_answers_each_message_before_the_next_is_sent()
    {
        using var call = Invoker.AsyncDuplexStreamingCall(TestMethods.Bidi);
        using var guard = new CancellationTokenSource(HangGuard);
        foreach (string word in new[] { "one", "two", "three" })
        {
            await call.RequestStream.WriteAsync(Encoding.UTF8.GetBytes(word));
            Assert.True(await call.ResponseStream.MoveNext(guard.Token));
            Assert.Equal(word, Encoding.UTF8.GetString(call.ResponseStream.Current));
        }
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(guard.Token));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task server_error_arrives_as_RpcException_with_decoded_message_and_trailers()
    {
        using var call = Invoker.AsyncUnaryCall(TestMethods.Fail, Encoding.UTF8.GetBytes("9|precondition: 50% done \u00fc \u2713"));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(HangGuard));
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal("precondition: 50% done \u00fc \u2713", error.Status.Detail);
        Assert.Equal("yes", error.Trailers.GetValue("x-fail-trailer"));
        Assert.Equal(error.Status, call.GetStatus());
    }

    [Fact]
    public async Task deadline_gives_DEADLINE_EXCEEDED_and_the_server_sees_the_call_end()
    {
        const string tag = "dotnet-deadline";
        using var call = Invoker.AsyncServerStreamingCall(TestMethods.Sleep, Encoding.UTF8.GetBytes(tag),
            new CallOptions(Deadline: DateTime.UtcNow.AddMilliseconds(500)));
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext().WaitAsync(HangGuard)) { }
        });
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Equal("cancelled", await SleepOutcomeAsync(tag));
    }

    [Fact]
    public async Task cancellation_gives_CANCELLED_and_the_server_sees_the_call_end()
    {
        const string tag = "dotnet-cancel";
        using var cancellation = new CancellationTokenSource();
        using var call = Invoker.AsyncServerStreamingCall(TestMethods.Sleep, Encoding.UTF8.GetBytes(tag), new CallOptions(CancellationToken: cancellation.Token));
        Assert.True(await call.ResponseStream.MoveNext().WaitAsync(HangGuard));
        cancellation.Cancel();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext().WaitAsync(HangGuard));
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.Equal("cancelled", await SleepOutcomeAsync(tag));
    }

    [Fact]
    public async Task unknown_method_is_UNIMPLEMENTED()
    {
        using var call = Invoker.AsyncUnaryCall(TestMethods.Missing, []);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(HangGuard));
        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }

    [Fact]
    public async Task response_over_our_limit_is_RESOURCE_EXHAUSTED()
    {
        using var call = Invoker.AsyncServerStreamingCall(TestMethods.ServerStream, "1,5000000"u8.ToArray());
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext().WaitAsync(HangGuard));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal(error.Status, call.GetStatus());
    }

    [Fact]
    public async Task call_without_token_is_refused_by_the_python_server()
    {
        using var channel = new GrpcChannel(fixture.Channel.Address, Client(new GrpcChannelOptions { RemoteCertificateValidation = fixture.Trust }));
        using var call = channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary, "hello"u8.ToArray());
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(HangGuard));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task forty_megabytes_streamed_in_chunks_arrive_intact()
    {
        byte[] data = new byte[40 * 1024 * 1024];
        new Random(7).NextBytes(data);
        using var call = Invoker.AsyncClientStreamingCall(TestMethods.Digest);
        const int chunk = 1024 * 1024;
        for (int offset = 0; offset < data.Length; offset += chunk)
            await call.RequestStream.WriteAsync(data[offset..(offset + chunk)]).WaitAsync(HangGuard);
        await call.RequestStream.CompleteAsync();
        string expected = $"{Convert.ToHexStringLower(SHA256.HashData(data))}:{data.Length}";
        Assert.Equal(expected, Encoding.ASCII.GetString(await call.ResponseAsync.WaitAsync(HangGuard)));
    }

    private async Task<string> SleepOutcomeAsync(string tag)
    {
        using var call = Invoker.AsyncUnaryCall(TestMethods.Events, Encoding.UTF8.GetBytes(tag));
        return Encoding.UTF8.GetString(await call.ResponseAsync.WaitAsync(HangGuard));
    }
}

[Collection(PythonServers)]
public sealed class SocketsHttpHandlerPythonServerTests(PythonServerFixture fixture) : PythonServerTests(fixture), IClassFixture<PythonServerFixture>
{
    protected override bool DirectHttp2 => false;
}

[Collection(PythonServers)]
public sealed class DirectHttp2PythonServerTests(PythonServerFixture fixture) : PythonServerTests(fixture), IClassFixture<PythonServerFixture>
{
    protected override bool DirectHttp2 => true;
}

[Collection(PythonServers)]
public sealed class SocketsHttpHandlerPythonTlsServerTests(PythonTlsServerFixture fixture) : PythonServerTests(fixture), IClassFixture<PythonTlsServerFixture>
{
    protected override bool DirectHttp2 => false;
}

[Collection(PythonServers)]
public sealed class DirectHttp2PythonTlsServerTests(PythonTlsServerFixture fixture) : PythonServerTests(fixture), IClassFixture<PythonTlsServerFixture>
{
    protected override bool DirectHttp2 => true;
}

/// <summary>A push lane calls grpcio's server: its preface, settings (the in-place one unknown there, so ignored) and DATA frames are plain HTTP/2.</summary>
[Collection(PythonServerTests.PythonServers)]
public sealed class PushLanePythonServerTests(PythonServerFixture fixture) : IClassFixture<PythonServerFixture>
{
    [Fact]
    public void a_lane_streams_a_digest_call_and_gets_the_answer_and_the_refusals()
    {
        var random = new Random(17);
        using var lane = PushLane.Connect(fixture.Channel.Address,
            new PushLaneOptions { BearerToken = PythonServerFixture.Token }, CancellationToken.None);
        for (int call = 0; call < 2; call++)
        {
            lane.Begin(TestMethods.Digest.FullName, CancellationToken.None);
            var all = new List<byte>();
            foreach (int size in new[] { 0, 7, 100_000, 3 * 1024 * 1024 })
            {
                byte[] message = new byte[size];
                random.NextBytes(message);
                lane.Write(message.AsSpan(0, size / 2), message.AsSpan(size / 2));
                all.AddRange(message);
            }
            string answer = Encoding.ASCII.GetString(lane.Finish(TimeSpan.FromSeconds(30)));
            Assert.Equal($"{Convert.ToHexStringLower(SHA256.HashData(all.ToArray()))}:{all.Count}", answer);
        }
        lane.Begin("/interop.Test/Missing", CancellationToken.None);
        Assert.Equal(StatusCode.Unimplemented, Assert.Throws<RpcException>(() => lane.Finish(TimeSpan.FromSeconds(30))).StatusCode);
        using var anonymous = PushLane.Connect(fixture.Channel.Address, new PushLaneOptions(), CancellationToken.None);
        anonymous.Begin(TestMethods.Digest.FullName, CancellationToken.None);
        Assert.Equal(StatusCode.Unauthenticated, Assert.Throws<RpcException>(() => anonymous.Finish(TimeSpan.FromSeconds(30))).StatusCode);
    }
}
