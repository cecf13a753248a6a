using PruningLab.Data;
using PruningLab.FirstOrder;
using PruningLab.Pruning;
using PruningLab.SecondOrder;
using PruningLab.Structured;
using PruningLab.Training;
using static TorchSharp.torch;

namespace PruningLab.Experiments;

/// <summary>
/// One way to compress a trained network, as the comparison runner (<see cref="Comparison"/>) applies it at a setting
/// (a sparsity, or a share of channels). An unstructured method zeroes weights through masks, which fine-tuning then
/// holds; a structured one builds a smaller network, whose latency can really drop.
/// </summary>
public sealed class CompressionMethod
{
    private readonly Action<ModelMasks, PretrainedModel, CourseData, double>? prune;
    private readonly Func<PretrainedModel, double, nn.Module<Tensor, Tensor>>? shrink;

    private CompressionMethod(string name, string description, Action<ModelMasks, PretrainedModel, CourseData, double>? prune,
        Func<PretrainedModel, double, nn.Module<Tensor, Tensor>>? shrink)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        (Name, Description, this.prune, this.shrink) = (name, description, prune, shrink);
    }

    /// <summary>The method's name in the table, e.g. "magnitude".</summary>
    public string Name { get; }

    /// <summary>What exactly it does: part of every cache key, so that changing it recomputes the rows.</summary>
    public string Description { get; }

    /// <summary>True when the method makes a smaller network rather than zeroing weights.</summary>
    public bool Structured => shrink is not null;

    /// <summary>
    /// A method that prunes through masks: <paramref name="prune"/> gets the masks of a copy of the dense model (all
    /// layers), the dense model (read only), the data (for calibration) and the setting, and zeroes weights.
    /// </summary>
    public static CompressionMethod Unstructured(string name, string description, Action<ModelMasks, PretrainedModel, CourseData, double> prune)
    {
        ArgumentNullException.ThrowIfNull(prune);
        return new(name, description, prune, null);
    }

    /// <summary>A method that builds a smaller network from the dense one at a setting (the caller owns it).</summary>
    public static CompressionMethod Smaller(string name, string description, Func<PretrainedModel, double, nn.Module<Tensor, Tensor>> shrink)
    {
        ArgumentNullException.ThrowIfNull(shrink);
        return new(name, description, null, shrink);
    }

    /// <summary>Prunes <paramref name="masks"/>' model (a copy of <paramref name="dense"/>); only for unstructured methods.</summary>
    internal void Prune(ModelMasks masks, PretrainedModel dense, CourseData data, double setting) =>
        (prune ?? throw new InvalidOperationException($"{Name} builds a smaller network; it does not prune through masks."))(masks, dense, data, setting);

    /// <summary>The smaller network; only for structured methods.</summary>
    internal nn.Module<Tensor, Tensor> Shrink(PretrainedModel dense, double setting) =>
        (shrink ?? throw new InvalidOperationException($"{Name} prunes through masks; it does not build a smaller network."))(dense, setting);

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>
/// The methods of the course, ready for <see cref="Comparison"/>: one global ranking of every layer's weights for the
/// unstructured criteria (lessons 01, 05, 06), layer-wise OBS with the per-layer shares global magnitude picks
/// (lesson 07), and whole channels or neurons removed by the L2 norm of their filters (lesson 04). The data-driven
/// criteria calibrate on <see cref="SaliencyStudy.Calibration"/> (2,048 training images), once per dense model.
/// </summary>
public static class CompressionMethods
{
    /// <summary>
    /// Nothing removed (run it at setting 0): the control. One-shot it is the dense model; fine-tuned, the dense model
    /// trained as long as every fine-tuned method, so that fine-tuning alone is not mistaken for a method's gain.
    /// </summary>
    public static CompressionMethod Dense { get; } = CompressionMethod.Unstructured("dense", "nothing removed (the control)", (_, _, _, _) => { });

    /// <summary>Weights at random (seed 0): the floor every criterion must beat.</summary>
    public static CompressionMethod Random { get; } = CompressionMethod.Unstructured("random", "Importance.Random(seed: 0), global",
        (masks, _, _, s) => masks.Prune(Scope.Global(s), Importance.Random(seed: 0)));

    /// <summary>The smallest |w| across all layers (lesson 01): needs no data.</summary>
    public static CompressionMethod Magnitude { get; } = CompressionMethod.Unstructured("magnitude", "|w|, global",
        (masks, _, _, s) => masks.Prune(Scope.Global(s), Importance.Magnitude));

    /// <summary>First-order Taylor |w·g| (lesson 05).</summary>
    public static CompressionMethod Taylor { get; } = CompressionMethod.Unstructured("Taylor", "|w·g| over the calibration batches, global",
        (masks, dense, data, s) => Calibrated(dense, data, "taylor", TaylorImportance.Absolute, c => masks.Prune(Scope.Global(s), c)));

    /// <summary>Optimal Brain Damage with the empirical Fisher diagonal (lesson 06).</summary>
    public static CompressionMethod Obd { get; } = CompressionMethod.Unstructured("OBD", "½·h·w², h the empirical Fisher diagonal of the calibration images, global",
        (masks, dense, data, s) => Calibrated(dense, data, "obd", () => ObdImportance.Fisher(), c => masks.Prune(Scope.Global(s), c)));

    /// <summary>Layer-wise Optimal Brain Surgeon with global magnitude's per-layer shares (lesson 07); fully connected layers only.</summary>
    public static CompressionMethod Obs { get; } = CompressionMethod.Unstructured("OBS", "LayerwiseObs.PruneModel with global magnitude's per-layer shares, column sweep",
        (masks, dense, data, s) => LayerwiseObs.PruneModel(masks, dense.Model, SaliencyStudy.GlobalShares(dense.Model, s), SaliencyStudy.Calibration(data)));

    /// <summary>Whole channels (or hidden neurons) by the L2 norm of their filters, cut out of a smaller network (lesson 04).</summary>
    public static CompressionMethod Channels { get; } = CompressionMethod.Smaller("channels", "ChannelPruning.Select by the L2 norm of output filters, ChannelSurgery.Shrink",
        (dense, fraction) => ChannelSurgery.Shrink(dense.Model, ChannelPruning.Select(dense.Model, fraction, ChannelImportance.OutputFilters(2))));

    // A calibrated criterion per dense model and kind, so that every sparsity reuses one calibration; kept for the
    // process (a few tensors the size of the model's weights per base model).
    private static readonly Dictionary<string, IImportance> calibrated = [];
    private static readonly Lock gate = new();

    private static void Calibrated<T>(PretrainedModel dense, CourseData data, string kind, Func<T> create, Action<T> use) where T : IImportance, ICalibrated
    {
        T criterion;
        lock (gate)
        {
            var key = $"{kind}|{dense.Key}|{data.Train.Name}|{data.Train.Count}";
            if (calibrated.TryGetValue(key, out var found)) criterion = (T)found;
            else
            {
                criterion = create();
                criterion.Calibrate(dense.Model, SaliencyStudy.Calibration(data));
                calibrated[key] = criterion;
            }
        }
        use(criterion);
    }
}
