using System.Buffers.Binary;
using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging;
using Orchestrator.Transport.Client;
using Orchestrator.Transport.Http2;
using Orchestrator.Transport.Server;
using Orchestrator.Transport.Server.InPlace;

namespace Orchestrator.Transport.Tests;

/// <summary>
/// In-place methods: served on the read loop to clients that ask, the usual way to everyone else; and served on a lane
/// server of their own (<see cref="InPlaceLaneServer"/>), where the cases marked with <c>lane</c> run as well.
/// </summary>
public class InPlaceTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task asking_client_is_served_in_place_and_others_by_the_usual_binding_with_the_same_answers()
    {
        var inPlace = new InPlaceDigests();
        await using var host = await StartAsync(inPlace, new GrpcServerOptions { BearerToken = "t", MaxReceiveMessageSize = 8 << 20 });
        byte[] data = new byte[9 * 1024 * 1024 + 17];
        new Random(5).NextBytes(data);
        string expected = $"{Convert.ToHexStringLower(SHA256.HashData(data))}:{data.Length}";
        foreach (bool ask in new[] { true, false })
        {
            using var channel = new GrpcChannel(host.Address, new GrpcChannelOptions { BearerToken = "t", DirectHttp2 = true, AskInPlace = ask });
            using var call = channel.CreateCallInvoker().AsyncClientStreamingCall(TestMethods.Digest);
            // Messages of every size: empty, tiny, and larger than a DATA frame (gathered before they are handed on).
            foreach (int size in new[] { 0, 1, 1000, 5 * 1024 * 1024, 4 * 1024 * 1024 - 983 + 16 })
            {
                int offset = (int)inPlace.Sent;
                int length = Math.Min(size, data.Length - offset);
                inPlace.Sent += length;
                await call.RequestStream.WriteAsync(data[offset..(offset + length)]).WaitAsync(HangGuard);
            }
            await call.RequestStream.CompleteAsync();
            Assert.Equal(expected, Encoding.ASCII.GetString(await call.ResponseAsync.WaitAsync(HangGuard)));
            Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
            Assert.Equal(1, inPlace.Calls);   // the asking round only
            inPlace.Sent = 0;
        }
    }

    [Fact]
    public async Task in_place_connections_work_over_TLS()
    {
        using X509Certificate2 certificate = TlsTests.SelfSigned();
        var inPlace = new InPlaceDigests();
        await using var host = await StartAsync(inPlace, new GrpcServerOptions { Certificate = certificate });
        using var channel = new GrpcChannel(host.Address, new GrpcChannelOptions
        {
            DirectHttp2 = true, AskInPlace = true,
            RemoteCertificateValidation = (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString(),
        });
        using var call = channel.CreateCallInvoker().AsyncClientStreamingCall(TestMethods.Digest);
        await call.RequestStream.WriteAsync("secure"u8.ToArray()).WaitAsync(HangGuard);
        await call.RequestStream.CompleteAsync();
        Assert.Equal($"{Convert.ToHexStringLower(SHA256.HashData("secure"u8))}:6", Encoding.ASCII.GetString(await call.ResponseAsync.WaitAsync(HangGuard)));
        Assert.Equal(1, inPlace.Calls);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task refusals_come_as_statuses_on_an_in_place_connection(bool lane)
    {
        var inPlace = new InPlaceDigests();
        await using var host = await StartAsync(inPlace, new GrpcServerOptions { BearerToken = "t", MaxReceiveMessageSize = 1000 }, lane);
        async Task<StatusCode> CallAsync(string? token, Method<byte[], byte[]> method, int size)
        {
            using var channel = new GrpcChannel(host.Address, new GrpcChannelOptions { BearerToken = token, DirectHttp2 = true, AskInPlace = true });
            using var call = channel.CreateCallInvoker().AsyncClientStreamingCall(method);
            try
            {
                await call.RequestStream.WriteAsync(new byte[size]).WaitAsync(HangGuard);
                await call.RequestStream.CompleteAsync();
            }
            catch (RpcException)
            {
                // The answer may beat the upload; the status is what counts.
            }
            var error = await Record.ExceptionAsync(() => call.ResponseAsync.WaitAsync(HangGuard));
            return error is RpcException rpc ? rpc.StatusCode : StatusCode.OK;
        }
        Assert.Equal(StatusCode.OK, await CallAsync("t", TestMethods.Digest, 1000));
        Assert.Equal(StatusCode.Unauthenticated, await CallAsync(null, TestMethods.Digest, 10));
        Assert.Equal(StatusCode.Unauthenticated, await CallAsync("wrong", TestMethods.Digest, 10));
        Assert.Equal(StatusCode.ResourceExhausted, await CallAsync("t", TestMethods.Digest, 1001));
        // Bound the usual way, but not in place: a connection served in place has only its in-place methods.
        Assert.Equal(StatusCode.Unimplemented, await CallAsync("t", TestMethods.ClientStream, 10));
        Assert.Equal(StatusCode.OK, await CallAsync("t", TestMethods.Digest, 0));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task a_call_that_throws_ends_as_UNKNOWN_and_the_connection_serves_the_next(bool lane)
    {
        var inPlace = new InPlaceDigests();
        var logs = new ErrorCountingLoggerFactory();
        await using var host = await StartAsync(inPlace, new GrpcServerOptions { LoggerFactory = logs }, lane);
        using var channel = new GrpcChannel(host.Address, new GrpcChannelOptions { DirectHttp2 = true, AskInPlace = true });
        foreach (var (message, expected) in new[] { ("boom", StatusCode.Unknown), ("fine", StatusCode.OK), ("boom", StatusCode.Unknown), ("fine", StatusCode.OK) })
        {
            using var call = channel.CreateCallInvoker().AsyncClientStreamingCall(TestMethods.Digest);
            await call.RequestStream.WriteAsync(Encoding.ASCII.GetBytes(message)).WaitAsync(HangGuard);
            try
            {
                await call.RequestStream.CompleteAsync();
            }
            catch (RpcException)
            {
                // Already answered.
            }
            var error = await Record.ExceptionAsync(() => call.ResponseAsync.WaitAsync(HangGuard));
            Assert.Equal(expected, error is RpcException rpc ? rpc.StatusCode : StatusCode.OK);
        }
        Assert.Equal(4, inPlace.Calls);
        // Each bug ended its own stream; the connection itself never failed.
        Assert.Equal(2, logs.Errors.Count);
        Assert.All(logs.Errors, e => Assert.Contains("an in-place call of stream", e));
    }

    [Theory]
    [InlineData(new byte[] { }, null)]
    [InlineData(new byte[] { (byte)'P', (byte)'R', (byte)'I' }, null)]
    [InlineData(new byte[] { (byte)'G', (byte)'E', (byte)'T' }, false)]
    public void verdict_waits_for_the_first_settings_and_refuses_what_is_not_a_preface(byte[] start, bool? expected) =>
        Assert.Equal(expected, InPlaceConnectionMiddleware.Verdict(new ReadOnlySequence<byte>(start)));

    [Fact]
    public void verdict_looks_for_the_setting_in_the_first_settings_frame()
    {
        Assert.True(InPlaceConnectionMiddleware.Verdict(new ReadOnlySequence<byte>(ClientStart(ask: true, headers: false))));
        Assert.False(InPlaceConnectionMiddleware.Verdict(new ReadOnlySequence<byte>(ClientStart(ask: false, headers: false))));
        byte[] asking = ClientStart(ask: true, headers: false);
        Assert.Null(InPlaceConnectionMiddleware.Verdict(new ReadOnlySequence<byte>(asking[..^1])));
    }

    /// <summary>
    /// Raw byte streams: a valid call (preface, SETTINGS asking, HEADERS, two messages, END_STREAM) gets its answer;
    /// the same bytes flipped, cut or extended end with the connection closed, never a hang, and the server logs no
    /// error (a bug in the loop would) and serves the next connection.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task mutated_client_streams_end_cleanly_and_the_server_goes_on(bool lane)
    {
        var inPlace = new InPlaceDigests();
        var logs = new ErrorCountingLoggerFactory();
        await using var host = await StartAsync(inPlace, new GrpcServerOptions { BearerToken = "t", MaxReceiveMessageSize = 4096, LoggerFactory = logs }, lane);
        byte[] valid = ClientStart(ask: true, headers: true);
        var random = new Random(9102);
        for (int round = 0; round < 150; round++)
        {
            byte[] input = round == 0 ? valid : Mutate(valid, random);
            byte[] output = await ExchangeAsync(host.Address, input).WaitAsync(HangGuard);
            if (round == 0)
            {
                var (status, message) = ParseAnswer(output);
                Assert.Equal("0", status);
                Assert.Equal($"{Convert.ToHexStringLower(SHA256.HashData("hello, world"u8))}:12", Encoding.ASCII.GetString(message!));
            }
        }
        Assert.True(logs.Errors.Count == 0, string.Join("\n----\n", logs.Errors));
        byte[] after = await ExchangeAsync(host.Address, valid).WaitAsync(HangGuard);
        Assert.Equal("0", ParseAnswer(after).Status);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task windows_reopen_as_data_is_consumed_so_a_call_many_windows_long_completes(bool lane)
    {
        // The smallest windows HTTP/2 allows: 3 MiB crosses each of them about fifty times.
        var inPlace = new InPlaceDigests();
        await using var host = await StartAsync(inPlace, new GrpcServerOptions { InitialConnectionWindowSize = 65_535, InitialStreamWindowSize = 65_535 }, lane);
        byte[] data = new byte[3 * 1024 * 1024];
        new Random(11).NextBytes(data);
        using var channel = new GrpcChannel(host.Address, new GrpcChannelOptions { DirectHttp2 = true, AskInPlace = true });
        using var call = channel.CreateCallInvoker().AsyncClientStreamingCall(TestMethods.Digest);
        for (int offset = 0; offset < data.Length; offset += 20_000)
            await call.RequestStream.WriteAsync(data[offset..Math.Min(offset + 20_000, data.Length)]).WaitAsync(HangGuard);
        await call.RequestStream.CompleteAsync();
        Assert.Equal($"{Convert.ToHexStringLower(SHA256.HashData(data))}:{data.Length}", Encoding.ASCII.GetString(await call.ResponseAsync.WaitAsync(HangGuard)));
        Assert.Equal(1, inPlace.Calls);
    }

    [Theory]
    [InlineData(65_535, 1 << 20, 0x7, 0x3, false)]          // past the connection's window: GOAWAY FLOW_CONTROL_ERROR
    [InlineData(1 << 20, 65_535, 0x3, 0x3, false)]          // past the stream's window only: RST_STREAM FLOW_CONTROL_ERROR
    [InlineData(65_535, 1 << 20, 0x7, 0x3, true)]
    [InlineData(1 << 20, 65_535, 0x3, 0x3, true)]
    public async Task data_past_a_window_is_a_flow_control_error(int connectionWindow, int streamWindow, int frameType, uint errorCode, bool lane)
    {
        await using var host = await StartAsync(new InPlaceDigests(), new GrpcServerOptions { InitialConnectionWindowSize = connectionWindow, InitialStreamWindowSize = streamWindow }, lane);
        ArrayBufferWriter<byte> output = OpenedDigestCall();
        // Within the window each, 40 000 + 30 000 bytes (the window reopens after the first); then one frame larger
        // than the whole window.
        Frame(output, Http2FrameType.Data, 0, 1, RawGrpc.Frame(new byte[40_000 - 5]));
        Frame(output, Http2FrameType.Data, 0, 1, new byte[30_000]);
        Frame(output, Http2FrameType.Data, 0, 1, new byte[70_000]);
        // No half-close: the client sends nothing after the frame at fault, so the server's close cannot turn into a
        // reset that loses the frame that says why.
        byte[] answer = await ExchangeAsync(host.Address, output.WrittenSpan.ToArray(),
            until: bytes => Frames(bytes).Any(f => (int)f.Frame.Type == frameType)).WaitAsync(HangGuard);
        var frames = Frames(answer);
        var error = frames.Single(f => (int)f.Frame.Type == frameType);
        Assert.Equal(errorCode, ErrorCode(error));
        Assert.DoesNotContain(frames, f => (int)f.Frame.Type is 0x3 or 0x7 && f != error && ErrorCode(f) != 0);

        // RST_STREAM's payload is the code; GOAWAY's is the last stream id, then the code.
        static uint ErrorCode((Http2Frame Frame, byte[] Payload) f) =>
            BinaryPrimitives.ReadUInt32BigEndian(f.Payload.AsSpan(f.Frame.Type == Http2FrameType.GoAway ? 4 : 0));
    }

    /// <summary>
    /// A call may take a large message's bytes after its head where it says (a lane server receives them there; Kestrel's
    /// connections never offer): messages under the threshold, at it and far above it, sent by the direct client and,
    /// cut into small DATA frames so that the prefix, the head and the rest all straddle frames, by hand.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task large_messages_land_where_their_call_says_with_the_same_answer(bool lane)
    {
        var inPlace = new InPlaceDigests { Lands = true };
        await using var host = await StartAsync(inPlace, new GrpcServerOptions { BearerToken = "t" }, lane);
        var random = new Random(5);
        byte[][] messages = [.. new[] { 100, 16_383, 16_384, 20_000, 1_048_579 }.Select(n => RandomBytes(random, n))];
        string expected = $"{Convert.ToHexStringLower(SHA256.HashData(messages.SelectMany(m => m).ToArray()))}:{messages.Sum(m => m.Length)}";

        using (var channel = new GrpcChannel(host.Address, new GrpcChannelOptions { DirectHttp2 = true, AskInPlace = true, BearerToken = "t" }))
        {
            using var call = channel.CreateCallInvoker().AsyncClientStreamingCall(TestMethods.Digest);
            foreach (byte[] message in messages) await call.RequestStream.WriteAsync(message).WaitAsync(HangGuard);
            await call.RequestStream.CompleteAsync();
            Assert.Equal(expected, Encoding.ASCII.GetString(await call.ResponseAsync.WaitAsync(HangGuard)));
        }
        Assert.Equal(lane ? 3 : 0, inPlace.Landed);

        ArrayBufferWriter<byte> output = OpenedDigestCall();
        byte[] body = [.. messages.SelectMany(m => RawGrpc.Frame(m))];
        for (int at = 0; at < body.Length; at += 301)
            Frame(output, Http2FrameType.Data, at + 301 >= body.Length ? Http2Frame.EndStream : (byte)0, 1, body.AsSpan(at, Math.Min(301, body.Length - at)));
        var (status, answer) = ParseAnswer(await ExchangeAsync(host.Address, output.WrittenSpan.ToArray()).WaitAsync(HangGuard));
        Assert.Equal("0", status);
        Assert.Equal(expected, Encoding.ASCII.GetString(answer!));
        Assert.Equal(lane ? 6 : 0, inPlace.Landed);
        Assert.Empty(inPlace.LandingFailures);
    }

    /// <summary>A message whose connection closes before its end fails its landing, once, and the server serves the next call.</summary>
    [Fact]
    public async Task a_landing_cut_short_fails_and_the_server_goes_on()
    {
        var inPlace = new InPlaceDigests { Lands = true };
        await using var host = await StartAsync(inPlace, new GrpcServerOptions { BearerToken = "t" }, lane: true);
        ArrayBufferWriter<byte> output = OpenedDigestCall();
        Frame(output, Http2FrameType.Data, 0, 1, RawGrpc.Frame(new byte[30_000], declaredLength: 100_000));
        await ExchangeAsync(host.Address, output.WrittenSpan.ToArray()).WaitAsync(HangGuard);

        await WaitUntilAsync(() => !inPlace.LandingFailures.IsEmpty);
        Assert.Single(inPlace.LandingFailures);
        Assert.Equal(0, inPlace.Landed);
        var (status, _) = ParseAnswer(await ExchangeAsync(host.Address, ClientStart(ask: true, headers: true)).WaitAsync(HangGuard));
        Assert.Equal("0", status);
    }

    /// <summary>
    /// The owner of a landing's destination may abort its connection from another thread: a receive blocked in the
    /// middle of the message fails at once, the landing with it, and the client sees the connection end.
    /// </summary>
    [Fact]
    public async Task aborting_a_landing_ends_its_connection_at_once()
    {
        var inPlace = new InPlaceDigests { Lands = true };
        await using var host = await StartAsync(inPlace, new GrpcServerOptions { BearerToken = "t" }, lane: true);
        ArrayBufferWriter<byte> output = OpenedDigestCall();
        // One DATA frame announced at 100 005 bytes, of which only the first 10 005 are sent: the server waits inside it.
        byte[] data = RawGrpc.Frame(new byte[100_000]);
        Span<byte> header = stackalloc byte[Http2Frame.HeaderLength];
        new Http2Frame(data.Length, Http2FrameType.Data, 0, 1).Write(header);
        output.Write(header);
        output.Write(data.AsSpan(0, 10_005));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(host.Address.Host, host.Address.Port);
        await socket.SendAsync(output.WrittenMemory);

        Action abort = await inPlace.FirstOffer.WaitAsync(HangGuard);
        Assert.Empty(inPlace.LandingFailures);
        abort();
        var buffer = new byte[64 * 1024];
        try
        {
            while (await socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(HangGuard) > 0)
            {
            }
        }
        catch (SocketException)
        {
            // Reset instead of closed: an end all the same.
        }
        await WaitUntilAsync(() => !inPlace.LandingFailures.IsEmpty);
        Assert.Equal(0, inPlace.Landed);
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > HangGuard) throw new TimeoutException("the condition did not hold in time");
            await Task.Delay(10);
        }
    }

    /// <summary>What a direct client sends first; with <paramref name="headers"/>, a whole Digest call of "hello, " and "world".</summary>
    private static byte[] ClientStart(bool ask, bool headers)
    {
        var output = new ArrayBufferWriter<byte>();
        output.Write(Http2Frame.ClientPreface);
        var settings = new List<byte>();
        void Setting(ushort id, uint value) => settings.AddRange([(byte)(id >> 8), (byte)id, (byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
        Setting(0x2, 0);
        Setting(0x4, 1 << 20);
        if (ask) Setting(InPlaceStreams.SettingId, 1);
        Frame(output, Http2FrameType.Settings, 0, 0, [.. settings]);
        if (!headers) return output.WrittenSpan.ToArray();
        CallHeaders(output);
        Frame(output, Http2FrameType.Data, 0, 1, RawGrpc.Frame("hello, "u8.ToArray()));
        Frame(output, Http2FrameType.Data, Http2Frame.EndStream, 1, RawGrpc.Frame("world"u8.ToArray()));
        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Disposing a TLS lane server closes connections whose clients have not begun the handshake (their threads blocked
    /// in it, before HTTP/2): each ends quietly, and the process lives (such an end once read the closed socket's
    /// address and threw on the connection's own thread, which ended the process).
    /// </summary>
    [Fact]
    public async Task disposing_a_lane_server_ends_connections_still_in_their_handshake()
    {
        var logs = new ErrorCountingLoggerFactory();
        using X509Certificate2 certificate = TlsTests.SelfSigned();
        var lanes = new InPlaceLaneServer(new GrpcServerOptions
        {
            Certificate = certificate, LoggerFactory = logs, InPlaceMethods = { InPlaceClientStreamingMethod.Create(TestMethods.Digest, new InPlaceDigests().Open) },
        });
        var clients = new List<Socket>();
        for (int i = 0; i < 8; i++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(lanes.Address.Host, lanes.Address.Port);
            clients.Add(socket);
        }
        await Task.Delay(200);
        lanes.Dispose();
        var buffer = new byte[16];
        foreach (Socket socket in clients)
        {
            try
            {
                while (await socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(HangGuard) > 0)
                {
                }
            }
            catch (SocketException)
            {
                // Reset instead of closed: an end all the same.
            }
            socket.Dispose();
        }
        await Task.Delay(200);
        Assert.True(logs.Errors.Count == 0, string.Join("\n----\n", logs.Errors));
    }

    /// <summary>A client's first bytes, asking for in-place service, then the HEADERS of a Digest call on stream 1; its DATA to follow.</summary>
    private static ArrayBufferWriter<byte> OpenedDigestCall()
    {
        var output = new ArrayBufferWriter<byte>();
        output.Write(ClientStart(ask: true, headers: false));
        CallHeaders(output);
        return output;
    }

    /// <summary>The HEADERS frame that opens a Digest call on stream 1, with the bearer token "t".</summary>
    private static void CallHeaders(ArrayBufferWriter<byte> output)
    {
        var block = new ArrayBufferWriter<byte>();
        HPackEncoder.Encode([(":method", "POST"), (":scheme", "http"), (":path", TestMethods.Digest.FullName), (":authority", "localhost"),
            ("content-type", "application/grpc"), ("te", "trailers"), ("authorization", "Bearer t")], block);
        Frame(output, Http2FrameType.Headers, Http2Frame.EndHeaders, 1, block.WrittenSpan);
    }

    private static void Frame(ArrayBufferWriter<byte> output, Http2FrameType type, byte flags, int stream, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = stackalloc byte[Http2Frame.HeaderLength];
        new Http2Frame(payload.Length, type, flags, stream).Write(header);
        output.Write(header);
        output.Write(payload);
    }

    /// <summary>The whole frames in <paramref name="bytes"/>, a server's output.</summary>
    private static List<(Http2Frame Frame, byte[] Payload)> Frames(byte[] bytes)
    {
        var frames = new List<(Http2Frame Frame, byte[] Payload)>();
        for (int at = 0; at + Http2Frame.HeaderLength <= bytes.Length;)
        {
            Http2Frame frame = Http2Frame.Read(bytes.AsSpan(at));
            if (at + Http2Frame.HeaderLength + frame.Length > bytes.Length) break;
            frames.Add((frame, bytes[(at + Http2Frame.HeaderLength)..(at + Http2Frame.HeaderLength + frame.Length)]));
            at += Http2Frame.HeaderLength + frame.Length;
        }
        return frames;
    }

    /// <summary>
    /// Sends the bytes and reads until the server closes; half-closes after sending, unless <paramref name="until"/>
    /// is given, which ends the reading once what arrived satisfies it.
    /// </summary>
    private static async Task<byte[]> ExchangeAsync(Uri address, byte[] input, Func<byte[], bool>? until = null)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(address.Host, address.Port);
        try
        {
            await socket.SendAsync(input);
            if (until is null) socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // The server may close first, on a frame it refuses.
        }
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer)) > 0)
            {
                received.Write(buffer, 0, read);
                if (until?.Invoke(received.ToArray()) == true) break;
            }
        }
        catch (SocketException)
        {
            // Reset instead of closed: an end all the same.
        }
        return received.ToArray();
    }

    /// <summary>The grpc-status of stream 1 and its one response message, from the server's frames.</summary>
    private static (string? Status, byte[]? Message) ParseAnswer(byte[] output)
    {
        var decoder = new HPackDecoder(4096);
        string? status = null;
        byte[]? message = null;
        foreach (var (frame, payload) in Frames(output))
        {
            if (frame.StreamId != 1) continue;
            if (frame.Type == Http2FrameType.Headers)
                status ??= decoder.Decode(payload).FirstOrDefault(f => f.Name == "grpc-status").Value;
            if (frame.Type == Http2FrameType.Data) message = payload[5..];
        }
        return (status, message);
    }

    private static byte[] Mutate(byte[] valid, Random random)
    {
        byte[] bytes = [.. valid];
        switch (random.Next(3))
        {
            case 0:
                for (int i = random.Next(1, 4); i > 0; i--) bytes[random.Next(Http2Frame.ClientPreface.Length, bytes.Length)] ^= (byte)random.Next(1, 256);
                return bytes;
            case 1:
                return bytes[..random.Next(Http2Frame.ClientPreface.Length, bytes.Length)];
            default:
                int at = random.Next(Http2Frame.ClientPreface.Length, bytes.Length);
                var junk = new byte[random.Next(1, 40)];
                random.NextBytes(junk);
                return [.. bytes[..at], .. junk, .. bytes[at..]];
        }
    }

    private static Task<InPlaceHost> StartAsync(InPlaceDigests inPlace, GrpcServerOptions options, bool lane = false) => InPlaceHost.StartAsync(inPlace, options, lane);

    /// <summary>Counts the errors logged: the in-place loop logs one only for an exception it did not expect.</summary>
    private sealed class ErrorCountingLoggerFactory : ILoggerFactory, ILogger
    {
        private readonly ConcurrentQueue<string> _errors = new();

        public IReadOnlyCollection<string> Errors => _errors;

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider) { }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Error) _errors.Enqueue($"{formatter(state, exception)}: {exception}");
        }

        public void Dispose() { }
    }
}
