using System.Text.Json;

namespace Orchestrator.Transport.Tests;

/// <summary>Wire compatibility: a grpcio 1.51 client (Debian python3-grpcio) calls our server over h2c.</summary>
public sealed class PythonClientTests(PythonClientFixture fixture) : PythonClientCases(fixture), IClassFixture<PythonClientFixture>;

/// <summary>The same over TLS: grpcio's own TLS (ALPN h2) against our server's certificate from PEM files.</summary>
public sealed class PythonTlsClientTests(PythonTlsClientFixture fixture) : PythonClientCases(fixture), IClassFixture<PythonTlsClientFixture>;

/// <summary>A grpcio client calls a lane server: in-place Digest, and the refusals, as from Kestrel.</summary>
public sealed class PythonLaneClientTests(PythonLaneClientFixture fixture) : PythonClientCommonCases(fixture), IClassFixture<PythonLaneClientFixture>;

/// <summary>What a grpcio client must see from our server, whatever the channel.</summary>
public abstract class PythonClientCases(PythonClientFixture clientFixture) : PythonClientCommonCases(clientFixture)
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public void unary_call_echoes_message_and_metadata_both_ways()
    {
        JsonElement result = Fixture.Case("unary");
        Assert.Equal("OK", result.GetProperty("code").GetString());
        Assert.Equal("hello", result.GetProperty("response").GetString());
        foreach (string part in new[] { "initial", "trailing" })
        {
            JsonElement metadata = result.GetProperty(part);
            Assert.Equal("abc", metadata.GetProperty("x-echo").GetString());
            Assert.Equal("0001ff", metadata.GetProperty("x-bin-bin").GetString());
            Assert.Equal($"Bearer {PythonClientFixture.Token}", metadata.GetProperty("x-authorization").GetString());
        }
    }

    [Fact]
    public void client_streaming_call_gets_the_concatenation()
    {
        JsonElement result = Fixture.Case("client_stream");
        Assert.Equal("OK", result.GetProperty("code").GetString());
        Assert.Equal("abcdef", result.GetProperty("response").GetString());
    }

    [Fact]
    public void server_streaming_call_gets_every_message_in_order()
    {
        JsonElement result = Fixture.Case("server_stream");
        Assert.Equal("OK", result.GetProperty("code").GetString());
        string[] expected = Enumerable.Range(0, 3).Select(i => Convert.ToHexStringLower(TestMethods.Pattern(i, 4))).ToArray();
        Assert.Equal(expected, result.GetProperty("responses").EnumerateArray().Select(r => r.GetString()).ToArray());
    }

    [Fact]
    public void duplex_call_gets_each_message_echoed()
    {
        JsonElement result = Fixture.Case("bidi");
        Assert.Equal("OK", result.GetProperty("code").GetString());
        Assert.Equal(new[] { "one", "two", "three" }, result.GetProperty("responses").EnumerateArray().Select(r => r.GetString()).ToArray());
    }

    [Fact]
    public void handler_error_reaches_the_client_with_its_percent_encoded_message_and_trailers()
    {
        JsonElement result = Fixture.Case("error");
        Assert.Equal("INVALID_ARGUMENT", result.GetProperty("code").GetString());
        Assert.Equal("bad argument: 100% \u00fc \u2713", result.GetProperty("details").GetString());
        Assert.Equal("yes", result.GetProperty("trailing").GetProperty("x-fail-trailer").GetString());
    }

    [Fact]
    public async Task expired_deadline_gives_DEADLINE_EXCEEDED_and_cancels_the_handler()
    {
        Assert.Equal("DEADLINE_EXCEEDED", Fixture.Case("deadline").GetProperty("code").GetString());
        // The client resets the stream at its deadline, racing the server's own timer: either way the handler's token fires.
        string outcome = await Fixture.Host.Service.SleepOutcome("py-deadline").WaitAsync(HangGuard);
        Assert.Contains(outcome, new[] { "deadline", "cancelled" });
    }

    [Fact]
    public async Task client_cancellation_reaches_the_handler()
    {
        Assert.Equal("CANCELLED", Fixture.Case("cancel").GetProperty("code").GetString());
        Assert.Equal("cancelled", await Fixture.Host.Service.SleepOutcome("py-cancel").WaitAsync(HangGuard));
    }

    [Fact]
    public void request_over_the_servers_limit_is_RESOURCE_EXHAUSTED()
    {
        JsonElement result = Fixture.Case("too_large");
        Assert.Equal("RESOURCE_EXHAUSTED", result.GetProperty("code").GetString());
        Assert.Contains("maximum configured message size", result.GetProperty("details").GetString());
    }
}

/// <summary>What every server of ours answers a grpcio client alike: a client-streaming Digest, and calls refused before any method runs.</summary>
public abstract class PythonClientCommonCases(PythonClientFixture fixture)
{
    protected PythonClientFixture Fixture => fixture;

    [Fact]
    public void client_streaming_digest_of_messages_larger_than_a_frame_matches()
    {
        JsonElement result = fixture.Case("digest");
        Assert.Equal("OK", result.GetProperty("code").GetString());
        Assert.Equal(result.GetProperty("expected").GetString(), result.GetProperty("response").GetString());
    }

    [Theory]
    [InlineData("no_token")]
    [InlineData("wrong_token")]
    public void call_without_the_bearer_token_is_UNAUTHENTICATED(string name)
    {
        JsonElement result = fixture.Case(name);
        Assert.Equal("UNAUTHENTICATED", result.GetProperty("code").GetString());
        Assert.Contains("token", result.GetProperty("details").GetString());
    }

    [Fact]
    public void unknown_method_is_UNIMPLEMENTED()
    {
        JsonElement result = fixture.Case("unimplemented");
        Assert.Equal("UNIMPLEMENTED", result.GetProperty("code").GetString());
        Assert.Contains("/interop.Test/Missing", result.GetProperty("details").GetString());
    }
}
