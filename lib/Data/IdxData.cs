namespace PruningLab.Data;

/// <summary>The decoded content of one IDX file: its dimensions and its unsigned-byte payload.</summary>
/// <param name="Source">Where it was read from (used in error messages).</param>
/// <param name="Dimensions">Sizes from the header, outermost first (e.g. [60000, 28, 28]).</param>
/// <param name="Data">The payload, row-major, exactly the product of <paramref name="Dimensions"/> bytes.</param>
public sealed record IdxData(string Source, int[] Dimensions, byte[] Data)
{
    /// <summary>Number of items: the first dimension.</summary>
    public int Count => Dimensions[0];
}
