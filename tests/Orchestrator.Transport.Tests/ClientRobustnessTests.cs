using System.Text;
using Microsoft.AspNetCore.Http;
using Orchestrator.Transport.Client;

namespace Orchestrator.Transport.Tests;

/// <summary>Our client against a server that answers badly: every answer ends in messages and a status, never a hang or a stray exception.</summary>
public abstract class ClientRobustnessTests : ClientStackTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task random_response_bodies_give_the_references_messages_and_status()
    {
        var random = new Random(99);
        var bodies = Enumerable.Range(0, 120).Select(_ => FrameReference.RandomInput(random, 1024)).ToArray();
        await using var server = await RawServer.StartAsync(async http =>
        {
            await http.Request.Body.CopyToAsync(Stream.Null);
            http.Response.ContentType = "application/grpc";
            http.Response.DeclareTrailer("grpc-status");
            await http.Response.Body.WriteAsync(bodies[int.Parse(http.Request.Headers["x-case"]!)]);
            http.Response.AppendTrailer("grpc-status", "0");
        });
        using var channel = new GrpcChannel(server.Address, Client(new GrpcChannelOptions { MaxReceiveMessageSize = 1024 }));
        for (int i = 0; i < bodies.Length; i++)
        {
            var (expectedMessages, expectedError) = FrameReference.Parse(bodies[i], 1024);
            using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(TestMethods.ServerStream, [],
                new CallOptions(new Metadata().Add("x-case", i.ToString())));
            var messages = new List<byte[]>();
            StatusCode status;
            try
            {
                while (await call.ResponseStream.MoveNext().WaitAsync(HangGuard)) messages.Add(call.ResponseStream.Current);
                status = StatusCode.OK;
            }
            catch (RpcException e)
            {
                status = e.StatusCode;
            }
            Assert.True((expectedError ?? StatusCode.OK) == status, $"body {i}: status {status}, the reference {expectedError?.ToString() ?? "OK"}");
            Assert.Equal(expectedMessages, messages);
            Assert.Equal(status, call.GetStatus().StatusCode);
        }
    }

    [Theory]
    [InlineData(503, null, null, StatusCode.Unavailable)]
    [InlineData(404, null, null, StatusCode.Unimplemented)]
    [InlineData(401, null, null, StatusCode.Unauthenticated)]
    [InlineData(500, null, null, StatusCode.Unknown)]
    [InlineData(200, "text/html", null, StatusCode.Internal)]
    [InlineData(200, "application/grpc", "7", StatusCode.PermissionDenied)]
    [InlineData(200, "application/grpc", "99", StatusCode.Unknown)]
    [InlineData(200, "application/grpc", "x", StatusCode.Unknown)]
    [InlineData(200, "application/grpc", "", StatusCode.Internal)]
    public async Task bad_response_headers_or_trailers_give_the_specs_status(int httpStatus, string? contentType, string? grpcStatus, StatusCode expected)
    {
        await using var server = await RawServer.StartAsync(async http =>
        {
            http.Response.StatusCode = httpStatus;
            if (contentType is not null) http.Response.ContentType = contentType;
            await http.Response.Body.WriteAsync(RawGrpc.Frame("m"u8.ToArray()));
            if (grpcStatus is { Length: > 0 }) http.Response.AppendTrailer("grpc-status", grpcStatus);
        });
        using var channel = new GrpcChannel(server.Address, Client());
        using var call = channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary, []);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(HangGuard));
        Assert.Equal(expected, error.StatusCode);
    }

    [Fact]
    public async Task trailers_only_OK_is_an_empty_stream_but_a_unary_call_without_a_response_is_INTERNAL()
    {
        await using var server = await RawServer.StartAsync(http =>
        {
            http.Response.ContentType = "application/grpc";
            http.Response.Headers["grpc-status"] = "0";
            return Task.CompletedTask;
        });
        using var channel = new GrpcChannel(server.Address, Client());
        using var stream = channel.CreateCallInvoker().AsyncServerStreamingCall(TestMethods.ServerStream, []);
        Assert.False(await stream.ResponseStream.MoveNext().WaitAsync(HangGuard));
        Assert.Equal(StatusCode.OK, stream.GetStatus().StatusCode);
        using var unary = channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary, []);
        var error = await Assert.ThrowsAsync<RpcException>(() => unary.ResponseAsync.WaitAsync(HangGuard));
        Assert.Equal(StatusCode.Internal, error.StatusCode);
    }

    [Fact]
    public async Task server_reset_of_the_stream_maps_the_HTTP2_error_code()
    {
        await using var server = await RawServer.StartAsync(async http =>
        {
            http.Response.ContentType = "application/grpc";
            await http.Response.Body.WriteAsync(RawGrpc.Frame("first"u8.ToArray()));
            await http.Response.Body.FlushAsync();
            http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResetFeature>()!.Reset(0xB); // ENHANCE_YOUR_CALM
        });
        using var channel = new GrpcChannel(server.Address, Client());
        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(TestMethods.ServerStream, []);
        var received = new List<string>();
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext().WaitAsync(HangGuard)) received.Add(Encoding.UTF8.GetString(call.ResponseStream.Current));
        });
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.True(received.Count <= 1);
    }
}

public sealed class SocketsHttpHandlerClientRobustnessTests : ClientRobustnessTests
{
    protected override bool DirectHttp2 => false;
}

public sealed class DirectHttp2ClientRobustnessTests : ClientRobustnessTests
{
    protected override bool DirectHttp2 => true;
}
