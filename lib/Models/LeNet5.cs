using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruningLab.Models;

/// <summary>
/// LeNet-5 (LeCun et al., 1998) for 28×28 inputs: two 5×5 convolutions with max-pooling and three fully
/// connected layers (120, 84, 10). The small convolutional network of the course, used from lesson 03 on
/// for kernel- and channel-granularity pruning.
/// </summary>
/// <remarks>Layers are named <c>conv1</c>, <c>conv2</c>, <c>fc1</c>, <c>fc2</c>, <c>fc3</c>.</remarks>
public sealed class LeNet5 : nn.Module<Tensor, Tensor>, ICourseModel
{
    private readonly Conv2d conv1;
    private readonly Conv2d conv2;
    private readonly Linear fc1;
    private readonly Linear fc2;
    private readonly Linear fc3;

    /// <summary>The original widths: 6 and 16 channels, 120 and 84 neurons.</summary>
    public static IReadOnlyList<int> DefaultWidths { get; } = Array.AsReadOnly(new[] { 6, 16, 120, 84 });

    /// <summary>Creates the network with PyTorch's default initialisation and the given widths (conv1, conv2, fc1, fc2).</summary>
    public LeNet5(IReadOnlyList<int>? widths = null) : base(NameOf(widths ?? DefaultWidths))
    {
        var w = (widths ?? DefaultWidths).ToArray();
        Widths = Array.AsReadOnly(w);
        conv1 = nn.Conv2d(1, w[0], kernel_size: 5, padding: 2);   // 28×28 → 28×28, pooled to 14×14
        conv2 = nn.Conv2d(w[0], w[1], kernel_size: 5);            // 14×14 → 10×10, pooled to 5×5
        fc1 = nn.Linear(w[1] * 5 * 5, w[2]);                      // flatten: each of conv2's channels feeds 25 inputs
        fc2 = nn.Linear(w[2], w[3]);
        fc3 = nn.Linear(w[3], 10);
        RegisterComponents();
    }

    /// <summary>This network's widths (conv1, conv2, fc1, fc2).</summary>
    public IReadOnlyList<int> Widths { get; }

    /// <summary>The architecture name: <c>lenet-5</c> for the original widths, else e.g. <c>lenet-5-3-8-60-42</c>.</summary>
    public static string NameOf(IReadOnlyList<int> widths)
    {
        ArgumentNullException.ThrowIfNull(widths);
        if (widths.Count != 4 || widths.Any(w => w < 1))
            throw new ArgumentException($"LeNet-5 has four widths (conv1, conv2, fc1, fc2), each at least 1; got [{string.Join(", ", widths)}].", nameof(widths));
        return widths.SequenceEqual(DefaultWidths) ? ModelZoo.LeNet5 : $"{ModelZoo.LeNet5}-{string.Join("-", widths)}";
    }

    // "lenet-5-3-8-60-42" → [3, 8, 60, 42]; null if the name is not of that form.
    internal static int[]? WidthsOf(string name)
    {
        if (name == ModelZoo.LeNet5) return DefaultWidths.ToArray();
        if (!name.StartsWith(ModelZoo.LeNet5 + "-", StringComparison.Ordinal)) return null;
        var parts = name[(ModelZoo.LeNet5.Length + 1)..].Split('-');
        if (parts.Length != 4) return null;
        var widths = new int[4];
        for (var i = 0; i < 4; i++)
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out widths[i]) || widths[i] < 1) return null;
        return widths;
    }

    /// <inheritdoc/>
    public long[] InputShape => [1, 28, 28];

    /// <summary>Maps a batch of images [N,1,28,28] to class logits [N,10].</summary>
    public override Tensor forward(Tensor input)
    {
        // call() rather than forward(): only call() runs forward hooks (SparsityReport measures convolution outputs with them).
        using var scope = NewDisposeScope();
        var x = nn.functional.max_pool2d(nn.functional.relu(conv1.call(input)), 2);
        x = nn.functional.max_pool2d(nn.functional.relu(conv2.call(x)), 2);
        x = x.flatten(1);
        x = nn.functional.relu(fc1.call(x));
        x = nn.functional.relu(fc2.call(x));
        return fc3.call(x).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) { conv1.Dispose(); conv2.Dispose(); fc1.Dispose(); fc2.Dispose(); fc3.Dispose(); }
        base.Dispose(disposing);
    }
}
