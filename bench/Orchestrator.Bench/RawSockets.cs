using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Orchestrator.Bench;

/// <summary>What both plain-TCP all-reduces do alike: whole spans of floats over blocking sockets, and the segment split.</summary>
internal static class RawSockets
{
    public static void SendAll(Socket socket, ReadOnlySpan<float> values)
    {
        ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(values);
        while (!bytes.IsEmpty) bytes = bytes[socket.Send(bytes)..];
    }

    /// <summary>Fills <paramref name="values"/>; a peer that closes first is an IOException naming <paramref name="who"/>.</summary>
    public static void ReceiveExactly(Socket socket, Span<float> values, string who)
    {
        Span<byte> bytes = MemoryMarshal.AsBytes(values);
        while (!bytes.IsEmpty)
        {
            int read = socket.Receive(bytes);
            if (read == 0) throw new IOException($"{who}: the peer closed the connection mid all-reduce");
            bytes = bytes[read..];
        }
    }

    /// <summary>Segment <paramref name="index"/> (taken modulo <paramref name="world"/>) of <paramref name="floats"/> split into one per rank.</summary>
    public static (int Start, int Length) Segment(int index, int floats, int world)
    {
        int k = Wrap(index, world);
        long start = (long)floats * k / world, end = (long)floats * (k + 1) / world;
        return ((int)start, (int)(end - start));
    }

    /// <summary><paramref name="index"/> modulo <paramref name="world"/>, in 0..world-1 for negative indices too.</summary>
    public static int Wrap(int index, int world) => ((index % world) + world) % world;
}
