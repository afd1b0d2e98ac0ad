using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;
using Orchestrator.Transport.Http2;

namespace Orchestrator.Transport.Server.InPlace;

/// <summary>
/// Kestrel connection middleware: looks at a new connection's preface and first SETTINGS frame without consuming
/// them; a client that sent <see cref="InPlaceStreams.SettingId"/> = 1 gets an <see cref="InPlaceHttp2Connection"/>,
/// every other connection goes on to Kestrel's HTTP/2 as if nothing had looked.
/// </summary>
internal sealed class InPlaceConnectionMiddleware(ConnectionDelegate next, GrpcServerOptions options, IEnumerable<InPlaceClientStreamingMethod> methods, ILogger logger)
{
    // SETTINGS frames longer than this are not a client's first: leave them to Kestrel's checks.
    private const int MaxFirstSettings = 36 * Http2Settings.Length;

    private readonly Dictionary<string, InPlaceClientStreamingMethod> _methods = methods.ToDictionary(m => m.FullName, StringComparer.Ordinal);
    private readonly BearerTokenInterceptor? _authentication = options.BearerToken is null ? null : new BearerTokenInterceptor(options.BearerToken);

    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        bool asks;
        try
        {
            asks = await AsksInPlaceAsync(connection).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            return;   // Gone before its first frame said what it is.
        }
        if (!asks)
        {
            await next(connection).ConfigureAwait(false);
            return;
        }
        CancellationToken closeRequested = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;
        await new InPlaceHttp2Connection(connection.Transport.Output, options, _methods, _authentication, logger).RunAsync(connection.Transport.Input, closeRequested).ConfigureAwait(false);
    }

    private static async Task<bool> AsksInPlaceAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        while (true)
        {
            // Not cancelled by ConnectionClosed: Kestrel fires it as soon as the client half-closes, which a client that
            // sends its whole call at once does right away, and the bytes it sent would go unread. A closed connection
            // completes the pipe instead; a reset throws.
            ReadResult read = await input.ReadAsync().ConfigureAwait(false);
            bool? verdict = Verdict(read.Buffer);
            if (verdict is not null || read.IsCompleted || read.IsCanceled)
            {
                // Nothing consumed or examined: the next reader sees every byte again at once.
                input.AdvanceTo(read.Buffer.Start);
                return verdict == true;
            }
            input.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    /// <summary>True or false once the preface and first frame tell; null while more bytes are needed.</summary>
    internal static bool? Verdict(ReadOnlySequence<byte> buffer)
    {
        int preface = Http2Frame.ClientPreface.Length;
        if (buffer.Length < preface + Http2Frame.HeaderLength) return buffer.Length > 0 && !StartsLikePreface(buffer) ? false : null;
        if (!StartsLikePreface(buffer)) return false;
        Span<byte> header = stackalloc byte[Http2Frame.HeaderLength];
        buffer.Slice(preface, Http2Frame.HeaderLength).CopyTo(header);
        Http2Frame frame = Http2Frame.Read(header);
        if (frame.Type != Http2FrameType.Settings || frame.StreamId != 0 || frame.Has(Http2Frame.Ack) || frame.Length % Http2Settings.Length != 0 || frame.Length > MaxFirstSettings)
            return false;
        if (buffer.Length < preface + Http2Frame.HeaderLength + frame.Length) return null;
        return Http2Settings.Read(buffer.Slice(preface + Http2Frame.HeaderLength, frame.Length)).Contains((InPlaceStreams.SettingId, 1));
    }

    private static bool StartsLikePreface(ReadOnlySequence<byte> buffer)
    {
        int length = (int)Math.Min(buffer.Length, Http2Frame.ClientPreface.Length);
        Span<byte> start = stackalloc byte[Http2Frame.ClientPreface.Length];
        buffer.Slice(0, length).CopyTo(start);
        return start[..length].SequenceEqual(Http2Frame.ClientPreface[..length]);
    }
}
