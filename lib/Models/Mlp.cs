using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruningLab.Models;

/// <summary>
/// A fully connected ReLU network 784-h₁-…-10 of any widths: the small dense networks that lesson 02 compares with a
/// large pruned one of the same number of non-zero weights. Its architecture name lists the widths, e.g.
/// <c>mlp-784-34-10</c>, so <see cref="ModelZoo.Create"/> and <see cref="ModelZoo.Copy"/> can rebuild it.
/// </summary>
/// <remarks>Layers are named <c>fc1</c> … <c>fcN</c>; the last is the classifier.</remarks>
public sealed class Mlp : nn.Module<Tensor, Tensor>, ICourseModel
{
    private readonly Linear[] layers;

    /// <summary>Creates the network with the given hidden widths and PyTorch's default initialisation.</summary>
    /// <exception cref="ArgumentException">No hidden layer, or a width below 1.</exception>
    public Mlp(params int[] hidden) : base(NameOf(hidden))
    {
        int[] widths = [28 * 28, .. hidden, 10];
        layers = Enumerable.Range(0, widths.Length - 1).Select(i => nn.Linear(widths[i], widths[i + 1])).ToArray();
        for (var i = 0; i < layers.Length; i++) register_module($"fc{i + 1}", layers[i]);
    }

    /// <summary>The architecture name for these hidden widths, e.g. <c>mlp-784-34-10</c>.</summary>
    public static string NameOf(IReadOnlyList<int> hidden)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        if (hidden.Count == 0 || hidden.Any(h => h < 1))
            throw new ArgumentException($"An MLP needs at least one hidden layer of width 1 or more; got [{string.Join(", ", hidden)}].", nameof(hidden));
        return $"{ModelZoo.MlpPrefix}784-{string.Join("-", hidden)}-10";
    }

    /// <inheritdoc/>
    public long[] InputShape => [1, 28, 28];

    /// <summary>Maps a batch of images [N,1,28,28] (or flat [N,784]) to class logits [N,10].</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input.reshape(input.shape[0], -1);
        for (var i = 0; i < layers.Length - 1; i++) x = nn.functional.relu(layers[i].call(x));
        return layers[^1].call(x).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) foreach (var layer in layers) layer.Dispose();
        base.Dispose(disposing);
    }
}
