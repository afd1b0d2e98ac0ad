using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Orchestrator.Transport.Client;
using Orchestrator.Transport.Server;

namespace Orchestrator.Transport.Tests;

/// <summary>Our client against our server: the four call kinds, limits, large streams, cancellation; on both client stacks.</summary>
public abstract class LoopbackTests : ClientStackTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task unary_echoes_the_request_and_metadata()
    {
        await using var host = await TestServerHost.StartAsync(null, Client());
        var headers = new Metadata().Add("x-echo", "abc").Add("x-bin-bin", [0, 1, 255]);
        using var call = host.Invoker.AsyncUnaryCall(TestMethods.Unary, "hello"u8.ToArray(), new CallOptions(headers));
        Assert.Equal("hello", Encoding.UTF8.GetString(await call.ResponseAsync.WaitAsync(HangGuard)));
        Metadata responseHeaders = await call.ResponseHeadersAsync;
        Assert.Equal("abc", responseHeaders.GetValue("x-echo"));
        Assert.Equal(new byte[] { 0, 1, 255 }, responseHeaders.GetValueBytes("x-bin-bin"));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal("abc", call.GetTrailers().GetValue("x-echo"));
    }

    [Fact]
    public async Task handler_error_reaches_the_client_as_RpcException()
    {
        await using var host = await TestServerHost.StartAsync(null, Client());
        using var call = host.Invoker.AsyncUnaryCall(TestMethods.Fail, Encoding.UTF8.GetBytes("10|aborted: 3% \u2192 done"));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(HangGuard));
        Assert.Equal(new Status(StatusCode.Aborted, "aborted: 3% \u2192 done"), error.Status);
        Assert.Equal("yes", error.Trailers.GetValue("x-fail-trailer"));
    }

    [Fact]
    public async Task handler_exception_is_UNKNOWN_without_details_unless_asked()
    {
        var boom = new Method<byte[], byte[]>(MethodType.Unary, "interop.Boom", "Throw", Marshallers.Bytes, Marshallers.Bytes);
        var service = ServiceDefinition.CreateBuilder().AddMethod(boom, (byte[] _, ServerCallContext _) => throw new InvalidDataException("secret detail")).Build();
        foreach (bool detailed in new[] { false, true })
        {
            await using var server = new GrpcServer(new GrpcServerOptions { EnableDetailedErrors = detailed }, service);
            await server.StartAsync();
            using var channel = new GrpcChannel(server.Address, Client());
            using var call = channel.CreateCallInvoker().AsyncUnaryCall(boom, []);
            var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(HangGuard));
            Assert.Equal(StatusCode.Unknown, error.StatusCode);
            Assert.Equal(detailed, error.Status.Detail.Contains("secret detail"));
        }
    }

    [Fact]
    public async Task client_deadline_gives_DEADLINE_EXCEEDED_on_both_sides()
    {
        await using var host = await TestServerHost.StartAsync(null, Client());
        using var call = host.Invoker.AsyncServerStreamingCall(TestMethods.Sleep, "loop-deadline"u8.ToArray(), new CallOptions(Deadline: DateTime.UtcNow.AddMilliseconds(300)));
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext().WaitAsync(HangGuard)) { }
        });
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Contains(await host.Service.SleepOutcome("loop-deadline").WaitAsync(HangGuard), new[] { "deadline", "cancelled" });
    }

    [Fact]
    public async Task deadline_already_past_fails_without_sending()
    {
        await using var host = await TestServerHost.StartAsync(null, Client());
        using var call = host.Invoker.AsyncServerStreamingCall(TestMethods.Sleep, "never-sent"u8.ToArray(), new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(-1)));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.False(host.Service.SleepOutcomes.ContainsKey("never-sent"));
    }

    [Fact]
    public async Task cancellation_resets_the_stream_and_the_handler_sees_it()
    {
        await using var host = await TestServerHost.StartAsync(null, Client());
        using var cancellation = new CancellationTokenSource();
        using var call = host.Invoker.AsyncServerStreamingCall(TestMethods.Sleep, "loop-cancel"u8.ToArray(), new CallOptions(CancellationToken: cancellation.Token));
        Assert.True(await call.ResponseStream.MoveNext().WaitAsync(HangGuard));
        cancellation.Cancel();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext().WaitAsync(HangGuard));
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.Equal("cancelled", await host.Service.SleepOutcome("loop-cancel").WaitAsync(HangGuard));
    }

    [Fact]
    public async Task disposing_a_running_call_cancels_it_on_the_server()
    {
        await using var host = await TestServerHost.StartAsync(null, Client());
        var call = host.Invoker.AsyncServerStreamingCall(TestMethods.Sleep, "loop-dispose"u8.ToArray());
        Assert.True(await call.ResponseStream.MoveNext().WaitAsync(HangGuard));
        call.Dispose();
        Assert.Equal("cancelled", await host.Service.SleepOutcome("loop-dispose").WaitAsync(HangGuard));
        Assert.Equal(StatusCode.Cancelled, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task bearer_token_from_the_channel_is_accepted_and_its_absence_is_UNAUTHENTICATED()
    {
        await using var host = await TestServerHost.StartAsync(new GrpcServerOptions { BearerToken = "t0ken" }, Client(new GrpcChannelOptions { BearerToken = "t0ken" }));
        using var ok = host.Invoker.AsyncUnaryCall(TestMethods.Unary, "in"u8.ToArray());
        Assert.Equal("in", Encoding.UTF8.GetString(await ok.ResponseAsync.WaitAsync(HangGuard)));
        foreach (string? presented in new[] { null, "Bearer wrong", "Basic dDBrZW4=", "Bearer t0ken2" })
        {
            using var channel = new GrpcChannel(host.Server.Address, Client());
            var headers = presented is null ? null : new Metadata().Add("authorization", presented);
            using var call = channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary, "in"u8.ToArray(), new CallOptions(headers));
            var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(HangGuard));
            Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        }
    }

    [Fact]
    public async Task streaming_calls_refused_up_front_fail_their_writes_and_response_without_hanging()
    {
        await using var host = await TestServerHost.StartAsync(new GrpcServerOptions { BearerToken = "t0ken" }, Client());
        using var upload = host.Invoker.AsyncClientStreamingCall(TestMethods.ClientStream);
        using var duplex = host.Invoker.AsyncDuplexStreamingCall(TestMethods.Bidi);
        var uploadError = await Assert.ThrowsAsync<RpcException>(() => upload.ResponseAsync.WaitAsync(HangGuard));
        Assert.Equal(StatusCode.Unauthenticated, uploadError.StatusCode);
        var writeError = await Assert.ThrowsAsync<RpcException>(() => upload.RequestStream.WriteAsync(new byte[100]).WaitAsync(HangGuard));
        Assert.Equal(StatusCode.Unauthenticated, writeError.StatusCode);
        var readError = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            for (int i = 0; i < 1000; i++) await duplex.RequestStream.WriteAsync(new byte[100]).WaitAsync(HangGuard);
        });
        Assert.Equal(StatusCode.Unauthenticated, readError.StatusCode);
        var duplexError = await Assert.ThrowsAsync<RpcException>(() => duplex.ResponseStream.MoveNext().WaitAsync(HangGuard));
        Assert.Equal(StatusCode.Unauthenticated, duplexError.StatusCode);
    }

    [Fact]
    public async Task a_head_serializer_streams_the_trailing_bytes_as_part_of_the_same_message_within_the_send_limit()
    {
        // Digest's request written as a 3-byte head in the frame buffer and the rest returned to be sent from the array.
        var split = new Marshaller<byte[]>(Marshallers.Bytes.Serializer, Marshallers.Bytes.Deserializer, (message, head) =>
        {
            head.Write(message.AsSpan(0, 3));
            return message.AsMemory(3);
        });
        var digest = new Method<byte[], byte[]>(MethodType.ClientStreaming, TestMethods.Service, "Digest", split, Marshallers.Bytes);
        await using var host = await TestServerHost.StartAsync(null, Client(new GrpcChannelOptions { MaxSendMessageSize = 100_000 }));
        byte[][] messages = [RandomNumberGenerator.GetBytes(3), RandomNumberGenerator.GetBytes(70_000), RandomNumberGenerator.GetBytes(100_000)];
        using (var call = host.Invoker.AsyncClientStreamingCall(digest))
        {
            foreach (byte[] message in messages) await call.RequestStream.WriteAsync(message).WaitAsync(HangGuard);
            await call.RequestStream.CompleteAsync();
            byte[] all = [.. messages.SelectMany(m => m)];
            Assert.Equal($"{Convert.ToHexStringLower(SHA256.HashData(all))}:{all.Length}", Encoding.ASCII.GetString(await call.ResponseAsync.WaitAsync(HangGuard)));
        }
        using var tooLarge = host.Invoker.AsyncClientStreamingCall(digest);
        var error = await Assert.ThrowsAsync<RpcException>(() => tooLarge.RequestStream.WriteAsync(new byte[100_001]).WaitAsync(HangGuard));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public async Task messages_over_either_sides_limits_are_RESOURCE_EXHAUSTED()
    {
        await using var host = await TestServerHost.StartAsync(
            new GrpcServerOptions { MaxReceiveMessageSize = 1000, MaxSendMessageSize = 2000 },
            Client(new GrpcChannelOptions { MaxReceiveMessageSize = 3000, MaxSendMessageSize = 4000 }));
        async Task<StatusCode> StatusOfAsync(Func<Task> call)
        {
            try
            {
                await call().WaitAsync(HangGuard);
                return StatusCode.OK;
            }
            catch (RpcException e)
            {
                return e.StatusCode;
            }
        }
        Task<StatusCode> StatusOfEchoAsync(int size) => StatusOfAsync(async () =>
        {
            using var call = host.Invoker.AsyncUnaryCall(TestMethods.Unary, new byte[size]);
            await call.ResponseAsync;
        });
        Task<StatusCode> StatusOfStreamAsync(string request) => StatusOfAsync(async () =>
        {
            using var call = host.Invoker.AsyncServerStreamingCall(TestMethods.ServerStream, Encoding.ASCII.GetBytes(request));
            while (await call.ResponseStream.MoveNext()) { }
        });
        Assert.Equal(StatusCode.OK, await StatusOfEchoAsync(1000));
        Assert.Equal(StatusCode.ResourceExhausted, await StatusOfEchoAsync(1001));   // over the server's receive limit
        Assert.Equal(StatusCode.ResourceExhausted, await StatusOfEchoAsync(4001));   // over the client's send limit
        Assert.Equal(StatusCode.OK, await StatusOfStreamAsync("2,2000"));
        Assert.Equal(StatusCode.ResourceExhausted, await StatusOfStreamAsync("2,2001")); // over the server's send limit
        var wide = new GrpcServerOptions { MaxSendMessageSize = 10_000 };
        await using var permissive = await TestServerHost.StartAsync(wide, Client(new GrpcChannelOptions { MaxReceiveMessageSize = 3000 }));
        using var tooLarge = permissive.Invoker.AsyncServerStreamingCall(TestMethods.ServerStream, "1,3001"u8.ToArray());
        var error = await Assert.ThrowsAsync<RpcException>(() => tooLarge.ResponseStream.MoveNext().WaitAsync(HangGuard));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);                   // over the client's receive limit
    }

    [Fact]
    public async Task forty_megabytes_stream_both_ways_through_a_duplex_call()
    {
        await using var host = await TestServerHost.StartAsync(null, Client());
        byte[] data = new byte[40 * 1024 * 1024];
        new Random(11).NextBytes(data);
        const int chunk = 1024 * 1024;
        using var call = host.Invoker.AsyncDuplexStreamingCall(TestMethods.Bidi);
        Task writer = Task.Run(async () =>
        {
            for (int offset = 0; offset < data.Length; offset += chunk) await call.RequestStream.WriteAsync(data[offset..(offset + chunk)]);
            await call.RequestStream.CompleteAsync();
        });
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long received = 0;
        using var guard = new CancellationTokenSource(HangGuard);
        while (await call.ResponseStream.MoveNext(guard.Token))
        {
            sha.AppendData(call.ResponseStream.Current);
            received += call.ResponseStream.Current.Length;
        }
        await writer.WaitAsync(HangGuard);
        Assert.Equal(data.Length, received);
        Assert.Equal(SHA256.HashData(data), sha.GetHashAndReset());
    }

    [Fact]
    public async Task messages_larger_than_the_flow_control_windows_still_flow()
    {
        var server = new GrpcServerOptions { InitialConnectionWindowSize = 65535, InitialStreamWindowSize = 65535, MaxFrameSize = 16384, MaxReceiveMessageSize = 8 << 20 };
        await using var host = await TestServerHost.StartAsync(server, Client(new GrpcChannelOptions { InitialHttp2StreamWindowSize = 65535, MaxReceiveMessageSize = 8 << 20 }));
        byte[] message = new byte[3 << 20];
        new Random(3).NextBytes(message);
        using var call = host.Invoker.AsyncUnaryCall(TestMethods.Unary, message);
        Assert.Equal(message, await call.ResponseAsync.WaitAsync(HangGuard));
    }

    [Fact]
    public async Task many_concurrent_calls_share_the_channel()
    {
        await using var host = await TestServerHost.StartAsync(null, Client());
        var calls = Enumerable.Range(0, 64).Select(async i =>
        {
            using var call = host.Invoker.AsyncUnaryCall(TestMethods.Unary, BitConverter.GetBytes(i));
            return BitConverter.ToInt32(await call.ResponseAsync.WaitAsync(HangGuard));
        });
        Assert.Equal(Enumerable.Range(0, 64), await Task.WhenAll(calls));
    }

    [Fact]
    public async Task wrong_call_kind_for_the_method_is_refused_before_sending()
    {
        await using var host = await TestServerHost.StartAsync(null, Client());
        Assert.Throws<ArgumentException>(() => host.Invoker.AsyncUnaryCall(TestMethods.Bidi, []));
        Assert.Throws<ArgumentException>(() => ServiceDefinition.CreateBuilder().AddMethod(TestMethods.Unary, (IAsyncStreamReader<byte[]> _, ServerCallContext _) => Task.FromResult(Array.Empty<byte>())));
    }

    [Fact]
    public async Task a_channel_reconnects_to_a_server_restarted_on_the_same_port()
    {
        var service = new TestService();
        int port;
        GrpcChannel channel;
        await using (var first = new GrpcServer(new GrpcServerOptions(), service.Build()))
        {
            await first.StartAsync();
            port = first.Address.Port;
            channel = new GrpcChannel(first.Address, Client());
            using var call = channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary, "one"u8.ToArray());
            Assert.Equal("one", Encoding.UTF8.GetString(await call.ResponseAsync.WaitAsync(HangGuard)));
        }
        using (channel)
        {
            // The client may hold the old connection until it sees it close (a race with the server's GOAWAY): a call
            // while no server listens fails either way and settles that, so the restart below is met deterministically.
            using (var between = channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary, "none"u8.ToArray()))
                await Assert.ThrowsAsync<RpcException>(() => between.ResponseAsync.WaitAsync(HangGuard));
            await using var second = new GrpcServer(new GrpcServerOptions { Port = port }, service.Build());
            await second.StartAsync();
            using var call = channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary, "two"u8.ToArray());
            Assert.Equal("two", Encoding.UTF8.GetString(await call.ResponseAsync.WaitAsync(HangGuard)));
        }
    }

    [Fact]
    public async Task unreachable_server_is_UNAVAILABLE()
    {
        int port;
        await using (var host = await TestServerHost.StartAsync(null, Client())) port = host.Server.Address.Port;
        using var channel = new GrpcChannel(new Uri($"http://127.0.0.1:{port}"), Client());
        using var call = channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary, []);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(HangGuard));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }
}

public sealed class SocketsHttpHandlerLoopbackTests : LoopbackTests
{
    protected override bool DirectHttp2 => false;
}

public sealed class DirectHttp2LoopbackTests : LoopbackTests
{
    protected override bool DirectHttp2 => true;
}
