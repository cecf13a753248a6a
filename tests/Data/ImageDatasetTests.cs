using PruningLab.Data;
using static TorchSharp.torch;

namespace PruningLab.Tests.Data;

public class ImageDatasetTests
{
    // Labels are the row numbers, so batches can be traced back to rows without extra bookkeeping.
    private static ImageDataset Numbered(int n) =>
        new(zeros(n, 1, 28, 28), arange(n, dtype: ScalarType.Int64), [.. Enumerable.Range(0, n).Select(i => i.ToString())], "numbered");

    private static long[] Order(ImageDataset ds, int batchSize, bool shuffle, int seed)
    {
        var rows = new List<long>();
        foreach (var batch in ds.Batches(batchSize, shuffle, seed))
            using (batch)
            {
                Assert.Equal(batch.Indices, batch.Y.data<long>().ToArray());
                rows.AddRange(batch.Indices);
            }
        return [.. rows];
    }

    [Fact]
    public void SameSeedSameOrderDifferentSeedDifferentOrder()
    {
        using var ds = Numbered(50);

        Assert.Equal(Order(ds, 8, true, 1), Order(ds, 8, true, 1));
        Assert.NotEqual(Order(ds, 8, true, 1), Order(ds, 8, true, 2));
        Assert.NotEqual(Order(ds, 8, false, 0), Order(ds, 8, true, 1));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), Order(ds, 8, false, 0));
    }

    [Fact]
    public void EveryRowExactlyOnceAndLastBatchHoldsRemainder()
    {
        using var ds = Numbered(23);
        var sizes = new List<int>();
        foreach (var batch in ds.Batches(5, shuffle: true, seed: 7))
            using (batch)
            {
                sizes.Add(batch.Size);
                Assert.Equal([batch.Size, 1, 28, 28], batch.X.shape);
                Assert.Equal([batch.Size], batch.Y.shape);
            }

        Assert.Equal([5, 5, 5, 5, 3], sizes);
        Assert.Equal(Enumerable.Range(0, 23).Select(i => (long)i), Order(ds, 5, true, 7).Order());
    }

    [Fact]
    public void SubsetIsDeterministicAndDistinct()
    {
        using var ds = Numbered(100);
        using var a = ds.Subset(30, seed: 3);
        using var b = ds.Subset(30, seed: 3);
        using var c = ds.Subset(30, seed: 4);

        long[] rowsA = a.Labels.data<long>().ToArray();
        Assert.Equal(30, a.Count);
        Assert.Equal(rowsA, b.Labels.data<long>().ToArray());
        Assert.NotEqual(rowsA, c.Labels.data<long>().ToArray());
        Assert.Equal(30, rowsA.Distinct().Count());
        Assert.Equal(rowsA.Order(), rowsA);
    }

    [Fact]
    public void FromIdxNormalisesWithMeanAndStd()
    {
        var images = new IdxData("img", [2, 1, 2], [0, 255, 51, 102]);
        var labels = new IdxData("lbl", [2], [1, 0]);

        using var ds = ImageDataset.FromIdx(images, labels, mean: 0.2f, std: 0.5f, ["x", "y"], "t");

        Assert.Equal([2, 1, 1, 2], ds.Images.shape);
        Assert.Equal(ScalarType.Float32, ds.Images.dtype);
        Assert.Equal(ScalarType.Int64, ds.Labels.dtype);
        float[] v = ds.Images.data<float>().ToArray();
        Assert.Equal(-0.4f, v[0], 5);
        Assert.Equal(1.6f, v[1], 5);
        Assert.Equal(0.0f, v[2], 5);
        Assert.Equal([1L, 0L], ds.Labels.data<long>().ToArray());
    }

    [Fact]
    public void LabelOutOfRangeIsAnError()
    {
        var images = new IdxData("img", [1, 1, 1], [0]);
        var labels = new IdxData("labels-file", [1], [10]);

        var e = Assert.Throws<DatasetException>(() => ImageDataset.FromIdx(images, labels, 0f, 1f, ["a", "b"], "t"));

        Assert.Contains("labels-file", e.Message);
    }

    [Fact]
    public void MismatchedCountsAreAnError()
    {
        var images = new IdxData("img", [2, 1, 1], [0, 0]);
        var labels = new IdxData("labels-file", [3], [0, 0, 0]);

        var e = Assert.Throws<DatasetException>(() => ImageDataset.FromIdx(images, labels, 0f, 1f, ["a"], "t"));

        Assert.Contains("do not belong together", e.Message);
    }
}
