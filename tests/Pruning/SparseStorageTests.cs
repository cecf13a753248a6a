using PruningLab.Pruning;
using static TorchSharp.torch;

namespace PruningLab.Tests.Pruning;

public class SparseStorageTests
{
    [Fact]
    public void Relative_indices_of_Deep_Compressions_example_need_one_filler()
    {
        using var scope = NewDisposeScope();
        // Non-zeros at 1, 4 and 15 with 3-bit gaps (1 … 8): gaps 2, 3, then 11 > 8, so a filler zero at 12 (gap 8) and 15 (gap 3).
        var w = tensor(new float[] { 0, 3.4f, 0, 0, 0.9f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1.7f });
        var size = SparseStorage.RelativeIndex(w, indexBits: 3, valueBits: 32);
        Assert.Equal((4L, 1L, 4L * 35), (size.Entries, size.Fillers, size.Bits));
        Assert.Equal(18, size.Bytes);   // 140 bits round up to 18 bytes
        Assert.Equal(4L * (3 + 5), SparseStorage.RelativeIndex(w, indexBits: 3, valueBits: 5).Bits);
    }

    [Theory]
    // positions of the non-zeros, index bits, expected fillers
    [InlineData(new long[] { 3 }, 2, 0)]            // gap 4 = 2^2 fits
    [InlineData(new long[] { 4 }, 2, 1)]            // gap 5: one filler at 3
    [InlineData(new long[] { 3, 8 }, 2, 1)]         // gaps 4 and 5
    [InlineData(new long[] { 0, 17 }, 2, 4)]        // gap 17: fillers at 4, 8, 12, 16
    [InlineData(new long[] { 0, 16 }, 2, 3)]        // gap 16: fillers at 4, 8, 12, then 16 is 4 on
    [InlineData(new long[] { 40 }, 5, 1)]           // gap 41 > 32
    [InlineData(new long[0], 5, 0)]
    public void Fillers_are_needed_for_every_full_span_of_a_gap(long[] positions, int indexBits, long fillers)
    {
        using var scope = NewDisposeScope();
        var w = zeros(50);
        foreach (var p in positions) w[p] = tensor(1f);
        var size = SparseStorage.RelativeIndex(w, indexBits);
        Assert.Equal(fillers, size.Fillers);
        Assert.Equal(positions.Length + fillers, size.Entries);
        Assert.Equal((positions.Length + fillers) * (indexBits + 32), size.Bits);
    }

    [Fact]
    public void A_matrix_is_flattened_row_by_row()
    {
        using var scope = NewDisposeScope();
        // [0,3] → position 3, [3,0] → position 12: gap 9 with 2-bit gaps (≤ 4) needs two fillers (at 7 and 11).
        var w = tensor(new float[,] { { 0, 0, 0, 5 }, { 0, 0, 0, 0 }, { 0, 0, 0, 0 }, { 7, 0, 0, 0 } });
        Assert.Equal(2, SparseStorage.RelativeIndex(w, 2).Fillers);
    }

    [Fact]
    public void Dense_CSR_and_bitmask_bits_by_hand()
    {
        Assert.Equal(100 * 32, SparseStorage.Dense(100).Bits);
        Assert.Equal(100 * 8, SparseStorage.Dense(100, valueBits: 8).Bits);
        // 10 rows, 30 non-zeros: 30 × (32 + 32) + 11 × 32.
        Assert.Equal(30 * 64 + 11 * 32, SparseStorage.Csr(10, 30).Bits);
        Assert.Equal(30 * (8 + 16) + 11 * 16, SparseStorage.Csr(10, 30, valueBits: 8, indexBits: 16).Bits);
        Assert.Equal(100 + 30 * 32, SparseStorage.Bitmask(100, 30).Bits);
        Assert.Equal(13, SparseStorage.Bitmask(100, 0).Bytes);   // 100 bits round up to 13 bytes
    }

    [Fact]
    public void Bad_sizes_are_refused()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentOutOfRangeException>(() => SparseStorage.RelativeIndex(ones(3), 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SparseStorage.RelativeIndex(ones(3), 31));
        Assert.Throws<ArgumentOutOfRangeException>(() => SparseStorage.RelativeIndex(ones(3), 4, valueBits: 0));
    }
}
