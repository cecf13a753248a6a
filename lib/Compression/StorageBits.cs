namespace PruningLab.Compression;

/// <summary>
/// The bits one stored tensor (or a whole model) takes, by part. Exact: no rounding to bytes.
/// </summary>
/// <param name="Values">The stored values or codes (Huffman-coded if the format says so).</param>
/// <param name="Indices">Where the values are: bitmask, CSR indices and row pointers, or relative gaps.</param>
/// <param name="Side">What decoding needs besides: fp32 scales or codebook centroids.</param>
/// <param name="Tables">Huffman code tables.</param>
/// <param name="Entries">Values stored: non-zeros, plus filler zeros (relative indices), or every entry (dense).</param>
/// <param name="Fillers">Filler zeros among <paramref name="Entries"/>.</param>
public sealed record StorageBits(long Values, long Indices, long Side, long Tables, long Entries, long Fillers)
{
    /// <summary>Nothing stored.</summary>
    public static StorageBits None { get; } = new(0, 0, 0, 0, 0, 0);

    /// <summary>All the bits.</summary>
    public long Total => Values + Indices + Side + Tables;

    /// <summary>The parts added up.</summary>
    public static StorageBits operator +(StorageBits a, StorageBits b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return new(a.Values + b.Values, a.Indices + b.Indices, a.Side + b.Side, a.Tables + b.Tables, a.Entries + b.Entries, a.Fillers + b.Fillers);
    }
}

/// <summary>The storage of a whole model: each prunable weight in its format, every other parameter (biases) dense fp32.</summary>
/// <param name="Layers">Each prunable weight's bits and the format it was counted in, by parameter name.</param>
/// <param name="OtherBits">Every other parameter as dense fp32.</param>
/// <param name="DenseBits">The whole model as dense fp32: what the ratio compares with.</param>
public sealed record ModelStorage(IReadOnlyDictionary<string, (StorageFormat Format, StorageBits Bits)> Layers, long OtherBits, long DenseBits)
{
    /// <summary>All the bits: every layer's, and the other parameters'.</summary>
    public long Total => Layers.Values.Sum(l => l.Bits.Total) + OtherBits;

    /// <summary>Dense fp32 bits over <see cref="Total"/>: how many times smaller.</summary>
    public double Ratio => DenseBits / (double)Total;

    /// <summary>The layers' parts added up.</summary>
    public StorageBits Parts => Layers.Values.Aggregate(StorageBits.None, (sum, l) => sum + l.Bits);
}
