using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Orchestrator.Transport.Server;

namespace Orchestrator.Transport.Tests;

/// <summary>Our implementation of <see cref="TestMethods"/>; it records what its handlers observed for the tests to check.</summary>
public sealed class TestService
{
    /// <summary>How each Sleep call ended, by tag: "cancelled" or "deadline" (its token fired), or "timeout".</summary>
    public ConcurrentDictionary<string, TaskCompletionSource<string>> SleepOutcomes { get; } = new();

    public Task<string> SleepOutcome(string tag) => SleepOutcomes.GetOrAdd(tag, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public ServiceDefinition Build() => ServiceDefinition.CreateBuilder()
        .AddMethod(TestMethods.Unary, UnaryAsync)
        .AddMethod(TestMethods.ClientStream, ClientStreamAsync)
        .AddMethod(TestMethods.Digest, DigestAsync)
        .AddMethod(TestMethods.ServerStream, ServerStreamAsync)
        .AddMethod(TestMethods.Bidi, BidiAsync)
        .AddMethod(TestMethods.Fail, FailAsync)
        .AddMethod(TestMethods.Sleep, SleepAsync)
        .Build();

    private static async Task<byte[]> UnaryAsync(byte[] request, ServerCallContext context)
    {
        var echoed = new Metadata();
        if (context.RequestHeaders.GetValue("x-echo") is string text) echoed.Add("x-echo", text);
        if (context.RequestHeaders.GetValueBytes("x-bin-bin") is byte[] bytes) echoed.Add("x-bin-bin", bytes);
        if (context.RequestHeaders.GetValue("authorization") is string authorization) echoed.Add("x-authorization", authorization);
        if (context.Deadline != DateTime.MaxValue) echoed.Add("x-deadline", context.Deadline.Ticks.ToString());
        await context.WriteResponseHeadersAsync(echoed);
        foreach (MetadataEntry entry in echoed) context.ResponseTrailers.Add(entry);
        return request;
    }

    private static async Task<byte[]> ClientStreamAsync(IAsyncStreamReader<byte[]> requests, ServerCallContext context)
    {
        var all = new MemoryStream();
        await foreach (byte[] request in requests.ReadAllAsync()) all.Write(request);
        return all.ToArray();
    }

    private static async Task<byte[]> DigestAsync(IAsyncStreamReader<byte[]> requests, ServerCallContext context)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long total = 0;
        await foreach (byte[] request in requests.ReadAllAsync())
        {
            sha.AppendData(request);
            total += request.Length;
        }
        return Encoding.ASCII.GetBytes($"{Convert.ToHexStringLower(sha.GetHashAndReset())}:{total}");
    }

    private static async Task ServerStreamAsync(byte[] request, IAsyncStreamWriter<byte[]> responses, ServerCallContext context)
    {
        int[] countAndSize = Encoding.ASCII.GetString(request).Split(',').Select(int.Parse).ToArray();
        for (int i = 0; i < countAndSize[0]; i++) await responses.WriteAsync(TestMethods.Pattern(i, countAndSize[1]));
    }

    private static async Task BidiAsync(IAsyncStreamReader<byte[]> requests, IAsyncStreamWriter<byte[]> responses, ServerCallContext context)
    {
        await foreach (byte[] request in requests.ReadAllAsync()) await responses.WriteAsync(request);
    }

    private static Task<byte[]> FailAsync(byte[] request, ServerCallContext context)
    {
        string[] parts = Encoding.UTF8.GetString(request).Split('|', 2);
        throw new RpcException(new Status((StatusCode)int.Parse(parts[0]), parts[1]), new Metadata().Add("x-fail-trailer", "yes"));
    }

    private async Task SleepAsync(byte[] request, IAsyncStreamWriter<byte[]> responses, ServerCallContext context)
    {
        string tag = Encoding.UTF8.GetString(request);
        var outcome = SleepOutcomes.GetOrAdd(tag, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            // Inside: with a deadline already past, the cancellation may come while the echo is written (the test then
            // saw the echo but would never see the outcome).
            await responses.WriteAsync(request);
            await Task.Delay(TimeSpan.FromSeconds(30), context.CancellationToken);
            outcome.TrySetResult("timeout");
        }
        catch (OperationCanceledException)
        {
            outcome.TrySetResult(DateTime.UtcNow >= context.Deadline ? "deadline" : "cancelled");
            throw;
        }
    }
}
