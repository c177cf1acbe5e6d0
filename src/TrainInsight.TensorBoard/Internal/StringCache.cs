using System.Text;

namespace TrainInsight.TensorBoard.Internal;

/// <summary>
/// Decodes short UTF-8 strings (tags, plugin names) once per reader: a direct-mapped cache of the last string seen in
/// each slot. A file repeats the same few tags in every record, so its events share one string per tag instead of
/// allocating and transcoding it again for every value. Not thread-safe (one per reader).
/// </summary>
internal sealed class StringCache
{
    private const int Slots = 512;
    private const int MaxCachedLength = 256;

    private readonly Entry[] _entries = new Entry[Slots];

    /// <summary>Returns the string of <paramref name="utf8"/>, which must be valid UTF-8.</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return string.Empty;
        }

        if (utf8.Length > MaxCachedLength)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        var hash = new HashCode();
        hash.AddBytes(utf8);
        ref var entry = ref _entries[hash.ToHashCode() & (Slots - 1)];
        if (entry.Utf8 is not null && utf8.SequenceEqual(entry.Utf8))
        {
            return entry.Value!;
        }

        var value = Encoding.UTF8.GetString(utf8);
        entry = new Entry(utf8.ToArray(), value);
        return value;
    }

    private readonly record struct Entry(byte[]? Utf8, string? Value);
}
