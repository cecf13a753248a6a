using PruningLab.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruningLab.Tests.Pruning;

/// <summary>Hand-written models whose masks can be computed on paper.</summary>
internal static class Tiny
{
    // |W1| flattened = [0.5, 0.1, 0.3, 0.8, 0.05, 0.9, 0.2, 0.01]; ascending: idx 7, 4, 1, 6, 2, 0, 3, 5.
    public static float[,] W1 => new[,] { { 0.5f, -0.1f, 0.3f, -0.8f }, { 0.05f, 0.9f, -0.2f, 0.01f } };
    // |W2| flattened = [0.4, 0.02, 0.6, 0.15, 0.07, 1.0]; ascending: idx 1, 4, 3, 0, 2, 5.
    public static float[,] W2 => new[,] { { 0.4f, -0.02f }, { 0.6f, 0.15f }, { -0.07f, 1.0f } };

    /// <summary>fc1 = Linear(4, 2) holding <paramref name="w1"/>, fc2 = Linear(2, 3) holding <paramref name="w2"/>.</summary>
    public static Sequential TwoLayers(float[,]? w1 = null, float[,]? w2 = null)
    {
        var fc1 = nn.Linear(4, 2);
        var fc2 = nn.Linear(2, 3);
        Set(fc1.weight!, w1 ?? W1);
        Set(fc2.weight!, w2 ?? W2);
        return nn.Sequential(("fc1", fc1), ("fc2", fc2));
    }

    public static void Set(Tensor weight, float[,] values)
    {
        using var noGrad = no_grad();
        using var source = tensor(values);
        weight.copy_(source);
    }

    public static Tensor Weight(nn.Module model, string name) => model.named_parameters().Single(p => p.name == name).parameter;

    public static float[] Flat(Tensor t) => t.detach().cpu().to(float32).contiguous().flatten().data<float>().ToArray();

    public static byte[] Bytes(Tensor t) => t.detach().cpu().contiguous().bytes.ToArray();

    /// <summary>Entries of <paramref name="weight"/> where <paramref name="mask"/> is 0 that are not exactly zero.</summary>
    public static long NonZeroPruned(Tensor weight, Tensor mask)
    {
        using var scope = NewDisposeScope();
        return weight.detach().masked_select(mask.eq(0)).count_nonzero().item<long>();
    }
}

/// <summary>The committed Fashion-MNIST sample, loaded once per test class.</summary>
public sealed class SampleData : IDisposable
{
    public ImageDataset Train { get; } = FashionMnist.Load(Split.Train, DatasetSize.Sample);
    public ImageDataset Test { get; } = FashionMnist.Load(Split.Test, DatasetSize.Sample);

    public void Dispose()
    {
        Train.Dispose();
        Test.Dispose();
    }
}
