using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruningLab.Models;

/// <summary>
/// A small VGG-style network for Fashion-MNIST: three stages of 3×3 convolution + BatchNorm + ReLU
/// (16-16, 32-32, 64 channels) with max-pooling, global average pooling and one linear classifier.
/// BatchNorm after every convolution makes it the course's model for channel pruning (lesson 04), where a
/// removed output channel takes its BatchNorm entries and the next layer's input channel with it.
/// </summary>
/// <remarks>
/// The widths are part of the architecture's name (<see cref="NameOf"/>), so a slimmed copy can be saved, reloaded and
/// cached like the original. Convolutions are <c>features.conv{i}</c> with BatchNorm <c>features.bn{i}</c> (i = 1…5); the classifier is
/// <c>classifier</c>. Channel widths are small so that an epoch stays within seconds on two CPU cores.
/// </remarks>
public sealed class SmallVgg : nn.Module<Tensor, Tensor>, ICourseModel
{
    /// <summary>The convolution widths, stage by stage; a 0 marks a 2×2 max-pool.</summary>
    public static IReadOnlyList<int> DefaultWidths { get; } = Array.AsReadOnly(new[] { 16, 16, 0, 32, 32, 0, 64, 0 });

    private readonly Sequential features;
    private readonly Linear classifier;

    /// <summary>Creates the network with the given widths (see <see cref="DefaultWidths"/>).</summary>
    /// <exception cref="ArgumentException">No convolution, or a negative width.</exception>
    public SmallVgg(IReadOnlyList<int>? widths = null) : base(NameOf(widths ?? DefaultWidths))
    {
        widths ??= DefaultWidths;
        Widths = Array.AsReadOnly(widths.ToArray());
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        int channels = 1, conv = 0, pool = 0;
        foreach (var width in widths)
        {
            if (width == 0) { layers.Add(($"pool{++pool}", nn.MaxPool2d(2))); continue; }
            conv++;
            layers.Add(($"conv{conv}", nn.Conv2d(channels, width, kernel_size: 3, padding: 1, bias: false)));
            layers.Add(($"bn{conv}", nn.BatchNorm2d(width)));
            layers.Add(($"relu{conv}", nn.ReLU()));
            channels = width;
        }
        features = nn.Sequential(layers);
        classifier = nn.Linear(channels, 10);
        RegisterComponents();
    }

    /// <summary>This network's widths: convolutions' channels, 0 for a max-pool.</summary>
    public IReadOnlyList<int> Widths { get; }

    /// <summary>
    /// The architecture name for these widths, e.g. <c>small-vgg-16-16-M-32-32-M-64-M</c> (M: a max-pool): a channel-pruned
    /// network is its own architecture, which <see cref="ModelZoo.Create"/>, checkpoints and the model cache know by this name.
    /// </summary>
    public static string NameOf(IReadOnlyList<int> widths)
    {
        ArgumentNullException.ThrowIfNull(widths);
        if (widths.Count == 0 || widths.Any(w => w < 0) || widths.All(w => w == 0))
            throw new ArgumentException($"A small VGG needs at least one convolution and no negative width; got [{string.Join(", ", widths)}].", nameof(widths));
        return ModelZoo.SmallVggPrefix + string.Join("-", widths.Select(w => w == 0 ? "M" : w.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    // "small-vgg-16-16-M-32-32-M-64-M" → [16, 16, 0, 32, 32, 0, 64, 0]; null if the name is not of that form.
    internal static int[]? WidthsOf(string name)
    {
        if (!name.StartsWith(ModelZoo.SmallVggPrefix, StringComparison.Ordinal)) return null;
        var parts = name[ModelZoo.SmallVggPrefix.Length..].Split('-');
        var widths = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i] == "M") continue;
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out widths[i]) || widths[i] < 1) return null;
        }
        return widths.Any(w => w > 0) ? widths : null;
    }

    /// <inheritdoc/>
    public long[] InputShape => [1, 28, 28];

    /// <summary>Maps a batch of images [N,1,28,28] to class logits [N,10].</summary>
    public override Tensor forward(Tensor input)
    {
        // call() rather than forward(): only call() runs forward hooks, which later lessons use to capture activations.
        using var scope = NewDisposeScope();
        var x = features.call(input);
        x = x.mean([2L, 3L]);   // global average pooling: the classifier sees one value per channel
        return classifier.call(x).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) { features.Dispose(); classifier.Dispose(); }
        base.Dispose(disposing);
    }
}
