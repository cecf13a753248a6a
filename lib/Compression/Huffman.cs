using PruningLab.Exercises;

namespace PruningLab.Compression;

/// <summary>
/// Huffman coding, measured rather than performed: the optimal prefix-code length of each symbol from how often it
/// occurs, and the exact number of bits a stream and its code table take. Deep Compression applies it last, to the
/// quantized values and the relative indices, whose distributions are far from uniform.
/// </summary>
public static class Huffman
{
    /// <summary>Bits per symbol of the code table: each symbol's code length in one byte (a canonical Huffman code is rebuilt from its lengths alone).</summary>
    public const int TableBitsPerSymbol = 8;

    /// <summary>
    /// The code length of each symbol: 0 for a symbol that never occurs, 1 when only one symbol occurs, otherwise the
    /// depth of the symbol in the tree built by repeatedly joining the two rarest subtrees (ties broken by the lower
    /// symbol, so the lengths are reproducible).
    /// </summary>
    /// <exception cref="ArgumentException">A negative frequency.</exception>
    public static int[] CodeLengths(IReadOnlyList<long> frequencies)
    {
        ArgumentNullException.ThrowIfNull(frequencies);
        if (frequencies.Any(f => f < 0)) throw new ArgumentException("Frequencies cannot be negative.", nameof(frequencies));
        ReferenceUse.Note(ReferenceUse.Huffman);
        var lengths = new int[frequencies.Count];
        var used = Enumerable.Range(0, frequencies.Count).Where(s => frequencies[s] > 0).ToList();
        if (used.Count == 1) lengths[used[0]] = 1;
        if (used.Count <= 1) return lengths;
        // Each subtree: its total count, the smallest symbol in it (tie-break) and its symbols.
        var queue = new PriorityQueue<List<int>, (long Count, int First)>();
        foreach (var s in used) queue.Enqueue([s], (frequencies[s], s));
        while (queue.Count > 1)
        {
            queue.TryDequeue(out var first, out var pa);
            queue.TryDequeue(out var second, out var pb);
            List<int> a = first!, b = second!;
            foreach (var s in a.Concat(b)) lengths[s]++;
            queue.Enqueue([.. a, .. b], (pa.Count + pb.Count, Math.Min(pa.First, pb.First)));
        }
        return lengths;
    }

    /// <summary>Bits of the coded stream: Σ frequency × code length.</summary>
    public static long StreamBits(IReadOnlyList<long> frequencies)
    {
        var lengths = CodeLengths(frequencies);
        return frequencies.Select((f, s) => f * lengths[s]).Sum();
    }

    /// <summary>The stream plus its table: <see cref="StreamBits"/> + <see cref="TableBitsPerSymbol"/> per symbol of the alphabet.</summary>
    public static long TotalBits(IReadOnlyList<long> frequencies) => StreamBits(frequencies) + (long)TableBitsPerSymbol * frequencies.Count;
}
