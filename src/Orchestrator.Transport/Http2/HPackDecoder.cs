using System.Text;

namespace Orchestrator.Transport.Http2;

/// <summary>
/// Decodes header blocks (RFC 7541): indexed fields, literals with and without indexing, dynamic table size updates,
/// Huffman-coded strings. One per connection: the dynamic table carries over from block to block, in order.
/// </summary>
internal sealed class HPackDecoder(int maxTableSize)
{
    private readonly int _maxTableSize = maxTableSize;
    private const int EntryOverhead = 32;

    // Newest first: dynamic index 62 is _dynamic[0].
    private readonly List<(string Name, string Value)> _dynamic = [];
    private int _tableSize;
    private int _tableLimit = maxTableSize;

    /// <summary>A COMPRESSION_ERROR (0x9): the connection cannot go on, since the tables are now out of step.</summary>
    public static HttpProtocolException CompressionError(string problem) => new(0x9, $"HPACK: {problem}", null);

    public List<(string Name, string Value)> Decode(ReadOnlySpan<byte> block)
    {
        var fields = new List<(string, string)>();
        bool fieldSeen = false;
        while (!block.IsEmpty)
        {
            byte first = block[0];
            if ((first & 0x80) != 0)
            {
                fields.Add(Entry(ReadInteger(ref block, 7)));
                fieldSeen = true;
            }
            else if ((first & 0xC0) == 0x40)
            {
                var field = ReadLiteral(ref block, 6);
                Insert(field);
                fields.Add(field);
                fieldSeen = true;
            }
            else if ((first & 0xE0) == 0x20)
            {
                if (fieldSeen) throw CompressionError("a dynamic table size update after a header field");
                int size = ReadInteger(ref block, 5);
                if (size > _maxTableSize) throw CompressionError($"table size update to {size} above the {_maxTableSize} allowed");
                _tableLimit = size;
                Evict(0);
            }
            else
            {
                // Literal without indexing (0000) or never indexed (0001): a 4-bit prefix either way.
                fields.Add(ReadLiteral(ref block, 4));
                fieldSeen = true;
            }
        }
        return fields;
    }

    private (string Name, string Value) ReadLiteral(ref ReadOnlySpan<byte> block, int prefixBits)
    {
        int index = ReadInteger(ref block, prefixBits);
        string name = index == 0 ? ReadString(ref block) : Entry(index).Name;
        return (name, ReadString(ref block));
    }

    private (string Name, string Value) Entry(int index)
    {
        if (index == 0) throw CompressionError("header index 0");
        if (index <= HPackStaticTable.Entries.Length) return HPackStaticTable.Entries[index - 1];
        int dynamic = index - HPackStaticTable.Entries.Length - 1;
        if (dynamic >= _dynamic.Count) throw CompressionError($"header index {index} beyond the {HPackStaticTable.Entries.Length + _dynamic.Count} entries");
        return _dynamic[dynamic];
    }

    private void Insert((string Name, string Value) field)
    {
        int size = field.Name.Length + field.Value.Length + EntryOverhead;
        if (size > _tableLimit)
        {
            // An entry larger than the whole table empties it and is not added (RFC 7541, 4.4).
            _dynamic.Clear();
            _tableSize = 0;
            return;
        }
        Evict(size);
        _dynamic.Insert(0, field);
        _tableSize += size;
    }

    /// <summary>Drops the oldest entries until <paramref name="room"/> more bytes fit under the limit.</summary>
    private void Evict(int room)
    {
        while (_dynamic.Count > 0 && _tableSize + room > _tableLimit)
        {
            var (name, value) = _dynamic[^1];
            _tableSize -= name.Length + value.Length + EntryOverhead;
            _dynamic.RemoveAt(_dynamic.Count - 1);
        }
    }

    private static string ReadString(ref ReadOnlySpan<byte> block)
    {
        if (block.IsEmpty) throw CompressionError("a header block that ends inside a field");
        bool huffman = (block[0] & 0x80) != 0;
        int length = ReadInteger(ref block, 7);
        if (length > block.Length) throw CompressionError($"a {length}-byte string with {block.Length} bytes left");
        ReadOnlySpan<byte> raw = block[..length];
        block = block[length..];
        // Octets, not text: Latin-1 keeps every byte as one char.
        return Encoding.Latin1.GetString(huffman ? HPackHuffman.Decode(raw) : raw);
    }

    /// <summary>An HPACK integer with an N-bit prefix (RFC 7541, 5.1), at most int.MaxValue.</summary>
    private static int ReadInteger(ref ReadOnlySpan<byte> block, int prefixBits)
    {
        if (block.IsEmpty) throw CompressionError("a header block that ends inside an integer");
        int max = (1 << prefixBits) - 1;
        long value = block[0] & max;
        block = block[1..];
        if (value < max) return (int)value;
        for (int shift = 0; ; shift += 7)
        {
            if (block.IsEmpty) throw CompressionError("a header block that ends inside an integer");
            byte b = block[0];
            block = block[1..];
            value += (long)(b & 0x7F) << shift;
            if (value > int.MaxValue || shift > 28) throw CompressionError("an integer above 2^31-1");
            if ((b & 0x80) == 0) return (int)value;
        }
    }
}
