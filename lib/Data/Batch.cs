using static TorchSharp.torch;

namespace PruningLab.Data;

/// <summary>One mini-batch. Dispose it (or let an enclosing dispose scope do so) to free its tensors.</summary>
public sealed class Batch : IDisposable
{
    /// <summary>Wraps the batch tensors; <paramref name="indices"/> are the dataset rows they came from.</summary>
    public Batch(Tensor x, Tensor y, long[] indices)
    {
        X = x;
        Y = y;
        Indices = indices;
    }

    /// <summary>Images, float32 [B,1,28,28], normalised.</summary>
    public Tensor X { get; }

    /// <summary>Labels, int64 [B].</summary>
    public Tensor Y { get; }

    /// <summary>Dataset row of each item, so a batch can be traced back (e.g. to show misclassified images).</summary>
    public long[] Indices { get; }

    /// <summary>Number of items in this batch (the last one may be smaller).</summary>
    public int Size => Indices.Length;

    /// <summary>Frees both tensors.</summary>
    public void Dispose()
    {
        X.Dispose();
        Y.Dispose();
    }
}
