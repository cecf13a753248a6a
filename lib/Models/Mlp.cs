using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruningLab.Models;

/// <summary>
/// A fully connected ReLU network 784-h₁-…-10 of any widths: the small dense networks that lesson 02 compares with a
/// large pruned one of the same number of non-zero weights. Its architecture name lists the widths, e.g.
/// <c>mlp-784-34-10</c>, so <see cref="ModelZoo.Create"/> and <see cref="ModelZoo.Copy"/> can rebuild it.
/// With fewer inputs than 784 — 196, 49 or 16 — it first averages the 28×28 image over 2×2, 4×4 or 7×7 blocks:
/// <c>mlp-196-16-10</c> sees a 14×14 image and has few enough weights for a full Hessian (lesson 07).
/// </summary>
/// <remarks>Layers are named <c>fc1</c> … <c>fcN</c>; the last is the classifier.</remarks>
public sealed class Mlp : nn.Module<Tensor, Tensor>, ICourseModel
{
    private const int ImageSide = 28;
    private readonly Linear[] layers;
    private readonly int pool;

    /// <summary>Creates the network with the given hidden widths and PyTorch's default initialisation.</summary>
    /// <exception cref="ArgumentException">No hidden layer, or a width below 1.</exception>
    public Mlp(params int[] hidden) : this(ImageSide * ImageSide, hidden) { }

    /// <summary>
    /// Creates the network on a downsampled image: <paramref name="inputs"/> is 784 (the image as it is), 196, 49 or 16
    /// (its averages over 2×2, 4×4 or 7×7 blocks).
    /// </summary>
    /// <exception cref="ArgumentException">Another input size, no hidden layer, or a width below 1.</exception>
    public Mlp(int inputs, int[] hidden) : base(NameOf(hidden, inputs))
    {
        pool = PoolFor(inputs) ?? throw new ArgumentException($"An MLP sees 784 pixels or their averages over blocks: 784, 196, 49 or 16 inputs; got {inputs}.", nameof(inputs));
        Inputs = inputs;
        int[] widths = [inputs, .. hidden, 10];
        layers = Enumerable.Range(0, widths.Length - 1).Select(i => nn.Linear(widths[i], widths[i + 1])).ToArray();
        for (var i = 0; i < layers.Length; i++) register_module($"fc{i + 1}", layers[i]);
    }

    /// <summary>How many numbers the first layer sees: 784, or fewer block averages of the image.</summary>
    public int Inputs { get; }

    /// <summary>The architecture name for these hidden widths, e.g. <c>mlp-784-34-10</c> (or <c>mlp-196-16-10</c> on 196 inputs).</summary>
    public static string NameOf(IReadOnlyList<int> hidden, int inputs = ImageSide * ImageSide)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        if (hidden.Count == 0 || hidden.Any(h => h < 1))
            throw new ArgumentException($"An MLP needs at least one hidden layer of width 1 or more; got [{string.Join(", ", hidden)}].", nameof(hidden));
        return $"{ModelZoo.MlpPrefix}{inputs}-{string.Join("-", hidden)}-10";
    }

    /// <summary>The side of the blocks averaged for this many inputs (1 for 784), or null if no block size gives it.</summary>
    public static int? PoolFor(int inputs) => inputs switch { 784 => 1, 196 => 2, 49 => 4, 16 => 7, _ => null };

    /// <inheritdoc/>
    public long[] InputShape => [1, 28, 28];

    /// <summary>Maps a batch of images [N,1,28,28] (or flat [N,784], or already averaged [N,inputs]) to class logits [N,10].</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input.reshape(input.shape[0], -1);
        if (pool > 1 && x.shape[1] == ImageSide * ImageSide)
            x = nn.functional.avg_pool2d(x.reshape(-1, 1, ImageSide, ImageSide), pool).reshape(input.shape[0], -1);
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
