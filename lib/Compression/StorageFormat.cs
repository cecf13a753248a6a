namespace PruningLab.Compression;

/// <summary>Where the stored values of a weight tensor are: which positions hold them.</summary>
public enum IndexScheme
{
    /// <summary>Every entry is stored, zeros included; no index.</summary>
    Dense,
    /// <summary>One bit per entry says whether a value is stored.</summary>
    Bitmask,
    /// <summary>Compressed sparse rows: a column index per value and a pointer per row (indices of the format's index bits).</summary>
    Csr,
    /// <summary>Deep Compression's relative indices: the gap to the previous stored entry in k bits, with filler zeros where a gap does not fit.</summary>
    Relative,
}

/// <summary>
/// How a weight tensor is stored, as a value: the index scheme, its index bits, and whether Huffman coding is applied
/// to the values and (for relative indices) to the gaps. The value bits come from what is stored: 32 for fp32, the
/// code width for a <see cref="Quantization.QuantizedWeight"/>, whose scales or codebook are counted too.
/// </summary>
/// <param name="Index">The index scheme.</param>
/// <param name="IndexBits">Bits per index: CSR column indices and row pointers, or relative gaps (1…30); ignored otherwise.</param>
/// <param name="Huffman">Huffman-code the values (quantized only) and the relative gaps, tables included.</param>
public sealed record StorageFormat(IndexScheme Index, int IndexBits = 0, bool Huffman = false)
{
    /// <summary>Every entry, no index.</summary>
    public static StorageFormat Dense { get; } = new(IndexScheme.Dense);

    /// <summary>A bitmask and the stored values.</summary>
    public static StorageFormat Bitmask { get; } = new(IndexScheme.Bitmask);

    /// <summary>CSR with <paramref name="indexBits"/>-bit indices (int32 by default).</summary>
    public static StorageFormat Csr(int indexBits = 32) => new(IndexScheme.Csr, indexBits);

    /// <summary>Relative indices of <paramref name="indexBits"/> bits, optionally Huffman-coded.</summary>
    public static StorageFormat Relative(int indexBits, bool huffman = false) => new(IndexScheme.Relative, indexBits, huffman);

    /// <summary>A short description for tables, e.g. "relative 5-bit + Huffman".</summary>
    public override string ToString() => Index switch
    {
        IndexScheme.Dense => "dense",
        IndexScheme.Bitmask => "bitmask",
        IndexScheme.Csr => $"CSR {IndexBits}-bit",
        _ => $"relative {IndexBits}-bit",
    } + (Huffman ? " + Huffman" : "");
}
