namespace PruningLab.Compression;

/// <summary>
/// Deep Compression's relative indices (Han, Mao &amp; Dally, 2016, section 3): the tensor is flattened row by row and
/// each stored entry carries the gap from the previous stored position (from −1 for the first) in k bits, which hold
/// gaps 1…2^k (the gap minus one is stored). When a gap is larger, a filler zero is stored 2^k positions on, as often
/// as needed.
/// </summary>
public static class RelativeIndices
{
    /// <summary>One stored entry: its position, the gap symbol (gap − 1, in 0…2^k − 1) and whether it is a filler zero.</summary>
    public readonly record struct Entry(long Position, int GapSymbol, bool Filler);

    /// <summary>The entries that store the non-zeros at <paramref name="positions"/> (sorted, distinct, from 0), fillers included.</summary>
    /// <exception cref="ArgumentException">Unsorted or negative positions, or index bits outside 1…30.</exception>
    public static List<Entry> Encode(IReadOnlyList<long> positions, int indexBits)
    {
        ArgumentNullException.ThrowIfNull(positions);
        if (indexBits is < 1 or > 30) throw new ArgumentOutOfRangeException(nameof(indexBits), indexBits, "Relative indices take 1 to 30 bits.");
        long span = 1L << indexBits, previous = -1;
        var entries = new List<Entry>(positions.Count);
        foreach (var position in positions)
        {
            if (position <= previous) throw new ArgumentException("Positions must be distinct, sorted and not negative.", nameof(positions));
            while (position - previous > span)
            {
                previous += span;
                entries.Add(new Entry(previous, (int)(span - 1), Filler: true));
            }
            entries.Add(new Entry(position, (int)(position - previous - 1), Filler: false));
            previous = position;
        }
        return entries;
    }
}
