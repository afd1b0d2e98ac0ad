using System.Buffers;
using System.Runtime.InteropServices;

namespace Orchestrator.Worker.AllReduce;

/// <summary>
/// Walks little-endian float32 bytes that lie in several segments (a transport's buffers, cut anywhere) as runs of
/// whole floats, without copying them: a float cut by a segment boundary comes alone, put together in a small buffer.
/// </summary>
internal ref struct FloatRuns(ReadOnlySequence<byte> bytes)
{
    private ReadOnlySequence<byte>.Enumerator _segments = bytes.GetEnumerator();
    private ReadOnlySpan<byte> _rest;
    private int _element;
    private readonly float[] _straddling = new float[1];

    /// <summary>The next run and the index of its first float; false after the last.</summary>
    public bool TryNext(out int start, out ReadOnlySpan<float> run)
    {
        start = _element;
        while (_rest.IsEmpty)
        {
            if (!_segments.MoveNext())
            {
                run = default;
                return false;
            }
            _rest = _segments.Current.Span;
        }
        int whole = _rest.Length / sizeof(float);
        if (whole > 0)
        {
            run = MemoryMarshal.Cast<byte, float>(_rest[..(whole * sizeof(float))]);
            _rest = _rest[(whole * sizeof(float))..];
        }
        else
        {
            Span<byte> straddling = MemoryMarshal.AsBytes(_straddling.AsSpan());
            for (int have = 0; have < sizeof(float);)
            {
                while (_rest.IsEmpty)
                {
                    if (!_segments.MoveNext()) throw new InvalidDataException($"the bytes end {have} bytes into float {_element}");
                    _rest = _segments.Current.Span;
                }
                int take = Math.Min(sizeof(float) - have, _rest.Length);
                _rest[..take].CopyTo(straddling[have..]);
                have += take;
                _rest = _rest[take..];
            }
            run = _straddling;
        }
        _element += run.Length;
        return true;
    }
}
