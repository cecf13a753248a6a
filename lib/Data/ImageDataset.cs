using TorchSharp;
using static TorchSharp.torch;

namespace PruningLab.Data;

/// <summary>
/// An in-memory image classification dataset: the whole set is one tensor, so batches are cheap
/// index_select calls and every run sees exactly the same data for a given seed.
/// </summary>
public sealed class ImageDataset : IDisposable
{
    /// <summary>
    /// Takes ownership of <paramref name="images"/> [N,1,H,W] float32 and <paramref name="labels"/> [N] int64.
    /// They are detached from any dispose scope because the dataset outlives training steps; dispose the dataset.
    /// </summary>
    public ImageDataset(Tensor images, Tensor labels, IReadOnlyList<string> classNames, string name = "")
    {
        if (images.shape[0] != labels.shape[0])
            throw new ArgumentException($"{images.shape[0]} images but {labels.shape[0]} labels.", nameof(labels));
        Images = images.DetachFromDisposeScope();
        Labels = labels.DetachFromDisposeScope();
        ClassNames = classNames;
        Name = name;
    }

    /// <summary>Normalised images, float32 [N,1,28,28].</summary>
    public Tensor Images { get; }

    /// <summary>Class indices, int64 [N].</summary>
    public Tensor Labels { get; }

    /// <summary>Label index → class name.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Name for display, e.g. "Fashion-MNIST train".</summary>
    public string Name { get; }

    /// <summary>Number of images.</summary>
    public int Count => (int)Labels.shape[0];

    /// <summary>
    /// Builds a dataset from decoded IDX images [N,H,W] and labels [N], scaling pixels to 0..1 and then
    /// normalising with <paramref name="mean"/>/<paramref name="std"/> so inputs are roughly zero-mean, unit-variance.
    /// </summary>
    public static ImageDataset FromIdx(IdxData images, IdxData labels, float mean, float std, IReadOnlyList<string> classNames, string name)
    {
        if (images.Dimensions.Length != 3)
            throw new DatasetException(images.Source,
                $"{images.Source}: expected image dimensions [N, height, width], found [{string.Join(", ", images.Dimensions)}]. " +
                "Is this a labels file? Check the file name, or delete it and run again to re-download.");
        if (labels.Dimensions.Length != 1 || labels.Count != images.Count)
            throw new DatasetException(labels.Source,
                $"{labels.Source}: expected labels of dimensions [{images.Count}] to match {images.Source}, found [{string.Join(", ", labels.Dimensions)}]. " +
                "The images and labels files do not belong together; delete both and run again to re-download.");
        int badLabel = Array.FindIndex(labels.Data, b => b >= classNames.Count);
        if (badLabel >= 0)
            throw new DatasetException(labels.Source,
                $"{labels.Source}: expected labels 0..{classNames.Count - 1}, found {labels.Data[badLabel]} at index {badLabel}. Delete it and run again to re-download.");

        using var scope = NewDisposeScope();
        long[] shape = [images.Count, 1, images.Dimensions[1], images.Dimensions[2]];
        // One copy from the byte array, then in-place arithmetic: this is what keeps full loads under a second.
        var x = tensor(images.Data, shape, ScalarType.Byte).to_type(ScalarType.Float32);
        x.mul_(1f / (255f * std)).sub_(mean / std); // (x/255 - mean)/std in two passes instead of three
        var y = tensor(labels.Data, [labels.Count], ScalarType.Byte).to_type(ScalarType.Int64);
        return new ImageDataset(x.MoveToOuterDisposeScope(), y.MoveToOuterDisposeScope(), classNames, name);
    }

    /// <summary>How many images each class has, by label index.</summary>
    public long[] ClassCounts()
    {
        using var scope = NewDisposeScope();
        return bincount(Labels, minlength: ClassNames.Count).data<long>().ToArray();
    }

    /// <summary>
    /// A random subset of <paramref name="count"/> images (all of them if count ≥ Count), the same for the same seed.
    /// Rows keep their original order. The subset owns copies; dispose it separately.
    /// </summary>
    public ImageDataset Subset(int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int[] order = Permutation(Count, seed);
        long[] chosen = [.. order.Take(Math.Min(count, Count)).Order().Select(i => (long)i)];
        using var scope = NewDisposeScope();
        var idx = tensor(chosen);
        var x = Images.index_select(0, idx);
        var y = Labels.index_select(0, idx);
        return new ImageDataset(x.MoveToOuterDisposeScope(), y.MoveToOuterDisposeScope(), ClassNames, $"{Name} (subset of {chosen.Length})");
    }

    /// <summary>The images at <paramref name="rows"/>, in that order, as a new dataset (it owns copies; dispose it separately).</summary>
    public ImageDataset Rows(IReadOnlyList<long> rows, string name)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var scope = NewDisposeScope();
        var idx = tensor(rows.ToArray());
        return new ImageDataset(Images.index_select(0, idx).MoveToOuterDisposeScope(), Labels.index_select(0, idx).MoveToOuterDisposeScope(), ClassNames, name);
    }

    /// <summary>
    /// Mini-batches covering every image exactly once; the last batch holds the remainder. With
    /// <paramref name="shuffle"/>, the order is a permutation determined by <paramref name="seed"/> alone.
    /// </summary>
    public IEnumerable<Batch> Batches(int batchSize, bool shuffle = true, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        int n = Count;
        int[] order = shuffle ? Permutation(n, seed) : [.. Enumerable.Range(0, n)];
        return Iterate(order, batchSize);
    }

    private IEnumerable<Batch> Iterate(int[] order, int batchSize)
    {
        for (int start = 0; start < order.Length; start += batchSize)
        {
            long[] rows = new long[Math.Min(batchSize, order.Length - start)];
            for (int i = 0; i < rows.Length; i++) rows[i] = order[start + i];
            yield return MakeBatch(rows);
        }
    }

    private Batch MakeBatch(long[] rows)
    {
        using var scope = NewDisposeScope();
        var idx = tensor(rows);
        var x = Images.index_select(0, idx).MoveToOuterDisposeScope();
        var y = Labels.index_select(0, idx).MoveToOuterDisposeScope();
        return new Batch(x, y, rows);
    }

    // System.Random with a seed uses a fixed algorithm across .NET versions, so orders are reproducible.
    private static int[] Permutation(int n, int seed)
    {
        int[] order = [.. Enumerable.Range(0, n)];
        new Random(seed).Shuffle(order);
        return order;
    }

    /// <summary>Frees the image and label tensors.</summary>
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
