using PruningLab.Pruning;
using PruningLab.Quantization;
using static TorchSharp.torch;

namespace PruningLab.Compression;

/// <summary>
/// The exact size of a stored weight tensor or model in a <see cref="StorageFormat"/>: values, indices, scales or
/// codebooks, and Huffman tables, all counted. Hand-computed cases are the tests.
/// </summary>
public static class CompressedSize
{
    /// <summary>An fp32 tensor: 32 bits per stored value (Huffman, if asked, codes only relative gaps).</summary>
    public static StorageBits Of(Tensor weight, StorageFormat format) => Read(weight).In(format);

    /// <summary>A quantized tensor: fixed-width codes of <see cref="QuantizedWeight.CodeBits"/> (or Huffman-coded), plus its scales or codebook.</summary>
    public static StorageBits Of(QuantizedWeight weight, StorageFormat format) => Read(weight).In(format);

    /// <summary>The relative-index format of <paramref name="weight"/> with the index bits (1…16) that make it smallest.</summary>
    public static (StorageFormat Format, StorageBits Bits) BestRelative(QuantizedWeight weight, bool huffman) =>
        Read(weight).Best(Enumerable.Range(1, 16).Select(k => StorageFormat.Relative(k, huffman)));

    /// <summary>
    /// The smallest of the formats for <paramref name="weight"/>: dense codes, a bitmask, or relative indices of 1…16
    /// bits (a dense layer is smallest without an index, a very sparse one with relative indices).
    /// </summary>
    public static (StorageFormat Format, StorageBits Bits) Smallest(QuantizedWeight weight, bool huffman) => Read(weight).Best(Candidates(huffman));

    /// <summary>The smallest of the formats for an fp32 tensor (Huffman codes only relative gaps there).</summary>
    public static (StorageFormat Format, StorageBits Bits) Smallest(Tensor weight, bool huffman) => Read(weight).Best(Candidates(huffman));

    private static IEnumerable<StorageFormat> Candidates(bool huffman) =>
        [new StorageFormat(IndexScheme.Dense, 0, huffman), new StorageFormat(IndexScheme.Bitmask, 0, huffman),
         .. Enumerable.Range(1, 16).Select(k => StorageFormat.Relative(k, huffman))];

    // What a tensor stores, read from its tensors once and then counted in as many formats as asked.
    private sealed record Stored(long[] Shape, long[] Positions, long[]? Symbols, int Levels, int ValueBits, long SideBits)
    {
        public StorageBits In(StorageFormat format) => Count(Shape, Positions, Symbols, Levels, ValueBits, SideBits, format);

        public (StorageFormat Format, StorageBits Bits) Best(IEnumerable<StorageFormat> formats) =>
            formats.Select(f => (f, In(f))).MinBy(x => x.Item2.Total);
    }

    private static Stored Read(Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        using var scope = NewDisposeScope();
        var (shape, positions) = Layout(weight);
        return new Stored(shape, positions, Symbols: null, Levels: 0, ValueBits: 32, SideBits: 0);
    }

    private static Stored Read(QuantizedWeight weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        using var scope = NewDisposeScope();
        var (shape, positions) = Layout(weight.Codes);
        return new Stored(shape, positions, weight.Codes.flatten().cpu().data<long>().ToArray(), weight.Levels, weight.CodeBits, weight.SideBits);
    }

    /// <summary>
    /// A whole model: each prunable weight in the format <paramref name="format"/> gives it (quantized if
    /// <paramref name="quantized"/> has it, fp32 otherwise); every other parameter dense fp32.
    /// </summary>
    public static ModelStorage OfModel(nn.Module model, IReadOnlyDictionary<string, QuantizedWeight>? quantized,
        Func<string, StorageFormat> format)
    {
        ArgumentNullException.ThrowIfNull(format);
        return OfModel(model, quantized, (name, q, w) => { var f = format(name); return (f, q is null ? Of(w, f) : Of(q, f)); });
    }

    /// <summary>A whole model, each weight in its smallest format (<see cref="Smallest(QuantizedWeight, bool)"/>); fp32 where <paramref name="quantized"/> lacks it.</summary>
    public static ModelStorage OfModel(nn.Module model, IReadOnlyDictionary<string, QuantizedWeight>? quantized, bool huffman) =>
        OfModel(model, quantized, (_, q, w) => q is null ? Smallest(w, huffman) : Smallest(q, huffman));

    private static ModelStorage OfModel(nn.Module model, IReadOnlyDictionary<string, QuantizedWeight>? quantized,
        Func<string, QuantizedWeight?, Tensor, (StorageFormat, StorageBits)> count)
    {
        ArgumentNullException.ThrowIfNull(model);
        var prunable = MagnitudePruning.PrunableWeights(model);
        var unknown = quantized?.Keys.Where(k => prunable.All(p => p.Name != k)).ToList() ?? [];
        if (unknown.Count > 0)
            throw new ArgumentException($"Quantized weights {string.Join(", ", unknown)} are not prunable weights of the model ({string.Join(", ", prunable.Select(p => p.Name))}).", nameof(quantized));
        var layers = prunable.ToDictionary(p => p.Name, p => count(p.Name, quantized?.GetValueOrDefault(p.Name), p.Weight));
        var all = model.parameters().Sum(p => p.numel());
        var other = all - prunable.Sum(p => p.Weight.numel());
        return new ModelStorage(layers, other * 32, all * 32);
    }

    // nonzero() directly: no Scalar argument (an implicit Scalar in a tight loop once reached libtorch already freed).
    private static (long[] Shape, long[] Positions) Layout(Tensor weight) =>
        (weight.shape, weight.detach().flatten().nonzero().flatten().cpu().data<long>().ToArray());

    private static StorageBits Count(long[] shape, long[] positions, long[]? symbols, int levels, int valueBits, long sideBits, StorageFormat format)
    {
        ArgumentNullException.ThrowIfNull(format);
        var total = shape.Aggregate(1L, (a, b) => a * b);
        var stored = positions.LongLength;
        long Values(IEnumerable<long> storedSymbols, long count, out long table)
        {
            table = 0;
            if (!format.Huffman || symbols is null) return count * valueBits;
            var counts = storedSymbols.GroupBy(s => s).Select(g => (long)g.Count()).ToList();
            counts.AddRange(Enumerable.Repeat(0L, Math.Max(0, levels - counts.Count)));
            table = (long)Huffman.TableBitsPerSymbol * counts.Count;
            return Huffman.StreamBits(counts);
        }
        switch (format.Index)
        {
            case IndexScheme.Dense:
            {
                var values = Values(symbols ?? [], total, out var table);
                return new StorageBits(values, 0, sideBits, table, total, 0);
            }
            case IndexScheme.Bitmask:
            {
                var values = Values(positions.Select(p => symbols![p]), stored, out var table);
                return new StorageBits(values, total, sideBits, table, stored, 0);
            }
            case IndexScheme.Csr:
            {
                var rows = shape.Length == 0 ? 1 : shape[0];
                var columns = total / Math.Max(rows, 1);
                if (format.IndexBits is < 1 or > 32 || Math.Max(columns - 1, stored) >= 1L << Math.Min(format.IndexBits, 62))
                    throw new ArgumentException($"CSR with {format.IndexBits}-bit indices cannot address {columns} columns and {stored} values; use more index bits.", nameof(format));
                var values = Values(positions.Select(p => symbols![p]), stored, out var table);
                return new StorageBits(values, stored * format.IndexBits + (rows + 1) * format.IndexBits, sideBits, table, stored, 0);
            }
            case IndexScheme.Relative:
            {
                var entries = RelativeIndices.Encode(positions, format.IndexBits);
                var fillers = entries.LongCount(e => e.Filler);
                // A filler stores the zero code.
                var values = Values(entries.Select(e => e.Filler ? 0 : symbols![e.Position]), entries.Count, out var valueTable);
                long indices = (long)entries.Count * format.IndexBits, indexTable = 0;
                if (format.Huffman)
                {
                    var gaps = new long[1 << format.IndexBits];
                    foreach (var e in entries) gaps[e.GapSymbol]++;
                    indices = Huffman.StreamBits(gaps);
                    indexTable = (long)Huffman.TableBitsPerSymbol * gaps.Length;
                }
                return new StorageBits(values, indices, sideBits, valueTable + indexTable, entries.Count, fillers);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format.Index, "Unknown index scheme.");
        }
    }
}
