using System.Buffers;
using System.Buffers.Binary;

namespace Orchestrator.Transport.Http2;

/// <summary>SETTINGS payloads (RFC 9113, 6.5.1: 16-bit identifier, 32-bit value), read and written by both ends.</summary>
internal static class Http2Settings
{
    public const ushort EnablePush = 0x2, MaxConcurrentStreams = 0x3, InitialWindowSize = 0x4, MaxFrameSize = 0x5;
    public const int Length = 6;

    /// <summary>The payload's settings in order; a FRAME_SIZE_ERROR when its length is not a multiple of 6.</summary>
    public static List<(ushort Id, uint Value)> Read(ReadOnlySequence<byte> payload)
    {
        if (payload.Length % Length != 0) throw new HttpProtocolException(0x6, $"a SETTINGS frame of {payload.Length} bytes, not a multiple of 6", null);
        byte[] bytes = payload.ToArray();
        var settings = new List<(ushort, uint)>(bytes.Length / Length);
        for (int at = 0; at < bytes.Length; at += Length)
            settings.Add((BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(at)), BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at + 2))));
        return settings;
    }

    public static void Write(Span<byte> at, ushort id, uint value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(at, id);
        BinaryPrimitives.WriteUInt32BigEndian(at[2..], value);
    }

    /// <summary>SETTINGS_INITIAL_WINDOW_SIZE, at most 2^31-1 (FLOW_CONTROL_ERROR above).</summary>
    public static long CheckedInitialWindow(uint value) =>
        value <= int.MaxValue ? value : throw new HttpProtocolException(0x3, $"SETTINGS_INITIAL_WINDOW_SIZE {value} above 2^31-1 (FLOW_CONTROL_ERROR)", null);

    /// <summary>SETTINGS_MAX_FRAME_SIZE, 16384 to 16777215 (PROTOCOL_ERROR outside).</summary>
    public static int CheckedMaxFrameSize(uint value) =>
        value is >= 16_384 and <= 16_777_215 ? (int)value : throw new HttpProtocolException(0x1, $"SETTINGS_MAX_FRAME_SIZE {value} outside 16384..16777215", null);
}
