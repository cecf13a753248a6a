using PruningLab.Data;
using PruningLab.Models;
using PruningLab.Pruning;
using PruningLab.Structured;
using PruningLab.Training;
using static System.FormattableString;
using static TorchSharp.torch;

namespace PruningLab.Experiments;

/// <summary>
/// The measurements of lesson 03: the small VGG of lesson 04 pruned at one granularity at a time — single weights,
/// whole 3×3 kernels, whole input channels (columns), whole channels (removed, as lesson 04 does) and 2:4 — in the same
/// four layers (conv2–conv5: conv1 has one input channel, which no 2:4 group fits), by magnitude, without retraining
/// but with BatchNorm's statistics measured again (<see cref="BatchNormRecalibration"/>: pruning shifts every layer's
/// outputs, and stale statistics alone wreck a BatchNorm network); and 2:4 against fine-grained 50 % after the same
/// short fine-tune. <c>./course experiments 03</c> runs three seeds;
/// the lesson recomputes seed 0 at 50 %.
/// </summary>
public static class GranularityStudy
{
    /// <summary>The dense base model.</summary>
    public const string Dense = "dense";
    /// <summary>The dense model with BatchNorm recalibrated like every pruned one: the fair reference of the curves.</summary>
    public const string DenseRecalibrated = "dense, BatchNorm recalibrated";
    /// <summary>Single weights, lowest |w| of each layer first.</summary>
    public const string FineGrained = "fine-grained";
    /// <summary>Single weights as <see cref="FineGrained"/>, but BatchNorm left with the dense model's statistics (the pitfall).</summary>
    public const string FineGrainedStale = "fine-grained, BatchNorm not recalibrated";
    /// <summary>Whole 3×3 kernels, lowest L1 norm of each layer first.</summary>
    public const string Kernels = "kernels";
    /// <summary>Whole input channels (dimension 1 of the weight), lowest L1 norm of each layer first.</summary>
    public const string Columns = "input channels";
    /// <summary>Whole channels removed (filter, BatchNorm, next layer's inputs), lowest group L2 norm first; setting: the share of channels.</summary>
    public const string Channels = "channels (removed)";
    /// <summary>2 of every 4 consecutive input channels at each kernel position kept, by magnitude (setting 0.5).</summary>
    public const string TwoOfFour = "2:4";
    /// <summary>Fine-grained 50 % of each layer, then the fine-tune.</summary>
    public const string FineGrainedFineTuned = "fine-grained 50 % + fine-tune";
    /// <summary>2:4, then the same fine-tune.</summary>
    public const string TwoOfFourFineTuned = "2:4 + fine-tune";

    /// <summary>The pruned layers: every convolution but the first, whose single input channel fits no 2:4 group.</summary>
    public static IReadOnlyList<string> Layers { get; } = ["features.conv2", "features.conv3", "features.conv4", "features.conv5"];

    /// <summary>The share of each layer's weights pruned by the mask granularities.</summary>
    public static IReadOnlyList<double> Sparsities { get; } = [0.1, 0.3, 0.5, 0.7, 0.9];

    /// <summary>The shares of each layer's channels removed; a channel takes its filter and the next layer's inputs, so the weight share is larger.</summary>
    public static IReadOnlyList<double> ChannelFractions { get; } = [0.05, 0.1, 0.2, 0.3, 0.5];

    /// <summary>The granularities that mask weights in place, by method.</summary>
    public static IReadOnlyList<(string Method, Granularity Granularity)> MaskGranularities { get; } =
        [(FineGrained, Granularity.FineGrained), (Kernels, Granularity.Kernels), (Columns, Granularity.Columns)];

    /// <summary>The 2:4 pattern.</summary>
    public static Granularity NOfM { get; } = Granularity.NOfM(2, 4);

    /// <summary>The channel criterion of the stored runs: the L2 norm over each channel's coupled group (exercise 3.3).</summary>
    public static IChannelImportance ChannelCriterion { get; } = ChannelImportance.Group(2);

    /// <summary>Fine-tuning epochs after fine-grained 50 % and after 2:4 (the same budget for both).</summary>
    public const int FineTuneEpochs = 1;

    /// <summary>The fine-tuning recipe: lesson 04's (SGD 0.01 with momentum 0.9, cosine), one epoch.</summary>
    public static TrainingOptions FineTune(int seed) => ChannelStudy.FineTune(seed) with { Epochs = FineTuneEpochs };

    /// <summary>Prunes <see cref="Layers"/> of <paramref name="masks"/>' model: <paramref name="sparsity"/> of each, by magnitude, at <paramref name="granularity"/>.</summary>
    public static void Prune(ModelMasks masks, Granularity granularity, double sparsity)
    {
        ArgumentNullException.ThrowIfNull(masks);
        masks.Prune(Scope.LayerWise(Layers.ToDictionary(l => l, _ => sparsity)), Importance.Magnitude, granularity);
    }

    /// <summary>
    /// The mask one layer gets when <see cref="Layers"/> are pruned to <paramref name="sparsity"/> at
    /// <paramref name="granularity"/> (for pictures). A layer-wise scope decides each layer alone, so only this one is pruned.
    /// </summary>
    public static Tensor LayerMask(PretrainedModel dense, string layer, Granularity granularity, double sparsity)
    {
        ArgumentNullException.ThrowIfNull(dense);
        using var copy = ModelZoo.Copy(dense.Model);
        using var masks = ModelMasks.For(copy);
        masks.Prune(Scope.LayerWise(new Dictionary<string, double> { [layer] = sparsity }), Importance.Magnitude, granularity);
        return masks[layer].clone();
    }

    /// <summary>
    /// The mask of <paramref name="layer"/>'s weight that channel removal amounts to: the rows of its removed channels
    /// and the columns that read channels removed upstream are zero.
    /// </summary>
    public static Tensor ChannelMask(nn.Module model, string layer, IReadOnlyDictionary<string, long[]> keep)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(keep);
        var coupling = ChannelCoupling.For(model);
        var module = model.named_modules().FirstOrDefault(m => m.name == layer).module
                     ?? throw new ArgumentException($"{model.GetName()} has no layer '{layer}'.", nameof(layer));
        var weight = ChannelCoupling.WeightOf(module, layer);
        using var scope = NewDisposeScope();
        var mask = ones_like(weight, dtype: float32);
        var rest = Enumerable.Repeat(1L, (int)weight.dim() - 2).ToArray();
        if (keep.TryGetValue(layer, out var rows)) mask.mul_(Kept(weight.shape[0], rows).reshape([-1, 1, .. rest]));
        foreach (var group in coupling.Groups.Where(g => g.Consumers.Any(c => c.Module == layer && c.Block == 1) && keep.ContainsKey(g.Name)))
            mask.mul_(Kept(weight.shape[1], keep[group.Name]).reshape([1, -1, .. rest]));
        return mask.MoveToOuterDisposeScope();

        static Tensor Kept(long count, long[] kept) => zeros(count, dtype: float32).index_fill_(0, tensor(kept, dtype: int64), 1);
    }

    /// <summary>The share of the weights of <see cref="Layers"/> that are zero in <paramref name="model"/>.</summary>
    public static double ZeroShare(nn.Module model)
    {
        var weights = Weights(model);
        using var scope = NewDisposeScope();
        return weights.Sum(w => w.eq(0).sum().item<long>()) / (double)weights.Sum(w => w.numel());
    }

    /// <summary>
    /// Prunes a copy of <paramref name="dense"/> at <paramref name="granularity"/>, recalibrates its BatchNorm unless
    /// told not to, and measures it (no retraining). Sparsity 0 measures the dense model, recalibrated as the others.
    /// </summary>
    public static Measurement Measure(PretrainedModel dense, CourseData data, int seed, string method, Granularity granularity, double sparsity,
        bool recalibrate = true)
    {
        ArgumentNullException.ThrowIfNull(dense);
        ArgumentNullException.ThrowIfNull(data);
        using var copy = ModelZoo.Copy(dense.Model);
        using var masks = ModelMasks.For(copy);
        if (sparsity > 0) Prune(masks, granularity, sparsity);
        if (recalibrate) BatchNormRecalibration.Recalibrate(copy, data.Train);
        return Measurement.Of(method, sparsity, seed, copy, ZeroShare(copy), data, epochs: 0);
    }

    /// <summary>
    /// Removes <paramref name="fraction"/> of the channels of every layer of <see cref="Layers"/> (lowest
    /// <paramref name="criterion"/> first; <see cref="ChannelCriterion"/> if null), recalibrates BatchNorm and measures
    /// the shrunk network; the row's sparsity is the share of those layers' weights that went.
    /// </summary>
    public static Measurement MeasureChannels(PretrainedModel dense, CourseData data, int seed, double fraction, IChannelImportance? criterion = null)
    {
        ArgumentNullException.ThrowIfNull(dense);
        ArgumentNullException.ThrowIfNull(data);
        var keep = ChannelPruning.Select(dense.Model, fraction, criterion ?? ChannelCriterion, groups: [.. Layers]);
        using var shrunk = ChannelSurgery.Shrink(dense.Model, keep);
        BatchNormRecalibration.Recalibrate(shrunk, data.Train);
        var removed = 1 - Weights(shrunk).Sum(w => w.numel()) / (double)Weights(dense.Model).Sum(w => w.numel());
        return Measurement.Of(Channels, fraction, seed, shrunk, removed, data, epochs: 0);
    }

    /// <summary>Prunes a copy of the dense model at 50 % (fine-grained) or 2:4, then fine-tunes it with the masks held (cached by recipe).</summary>
    public static TrainedRun RunFineTuned(PretrainedModel dense, CourseData data, int seed, Granularity granularity, bool cache = true)
    {
        ArgumentNullException.ThrowIfNull(dense);
        ArgumentNullException.ThrowIfNull(data);
        var fineTune = FineTune(seed);
        return RunCache.Get(Invariant($"{dense.Key}|prune {string.Join(",", Layers)} to 0.5 by magnitude at {granularity}, then fine-tune|{fineTune.Recipe()}|{data.Train.Count}"),
            () => ModelZoo.Copy(dense.Model),
            (model, masks) =>
            {
                Prune(masks, granularity, 0.5);
                return Trainer.Fit(model, data.Train, data.Validation, fineTune with { Hooks = [masks.Hook] });
            }, cache);
    }

    /// <summary>Every measurement of the lesson for one seed.</summary>
    public static List<Measurement> RunSeed(CourseData data, int seed, Action<Measurement>? onRow = null, bool cache = true)
    {
        var dense = PretrainedModels.SmallVgg(data, seed);
        var rows = new List<Measurement>();
        void Add(Measurement m) { rows.Add(m); onRow?.Invoke(m); }
        Add(Measurement.Of(Dense, 0, seed, dense.Model, 0, data, PretrainedModels.CnnRecipe.Epochs));
        Add(Measure(dense, data, seed, DenseRecalibrated, Granularity.FineGrained, 0));
        foreach (var s in Sparsities)
            Add(Measure(dense, data, seed, FineGrainedStale, Granularity.FineGrained, s, recalibrate: false));
        foreach (var (method, granularity) in MaskGranularities)
            foreach (var s in Sparsities)
                Add(Measure(dense, data, seed, method, granularity, s));
        foreach (var f in ChannelFractions)
            Add(MeasureChannels(dense, data, seed, f));
        Add(Measure(dense, data, seed, TwoOfFour, NOfM, 0.5));
        foreach (var (method, granularity) in new[] { (FineGrainedFineTuned, Granularity.FineGrained), (TwoOfFourFineTuned, NOfM) })
            using (var run = RunFineTuned(dense, data, seed, granularity, cache))
                Add(Measurement.Of(method, 0.5, seed, run.Model, ZeroShare(run.Model), data, FineTuneEpochs));
        dense.Model.Dispose();
        return rows;
    }

    /// <summary>The settings of the study, for provenance.</summary>
    public static Dictionary<string, string> Settings() => new()
    {
        ["base recipe"] = PretrainedModels.CnnRecipe.Recipe() + " (seed = the run's seed), small VGG " + ModelZoo.SmallVgg,
        ["layers"] = string.Join(", ", Layers) + " (conv1 and the classifier are not pruned)",
        ["mask granularities"] = $"{string.Join(", ", MaskGranularities.Select(g => $"{g.Method} ({g.Granularity}, {g.Granularity.Aggregate} of |w|)"))} " +
                                 $"at {string.Join(", ", Sparsities)} of each layer, no retraining; BatchNorm recalibrated after pruning " +
                                 "(BatchNormRecalibration.Recalibrate: the average over the first 20 batches of 256 training images), and the dense reference too; " +
                                 "fine-grained also without recalibration",
        ["channels"] = $"{string.Join(", ", ChannelFractions)} of each layer's channels by {ChannelCriterion}, removed with ChannelSurgery.Shrink, BatchNorm recalibrated, no retraining; " +
                       "sparsity column: the share of the four layers' weights removed",
        ["2:4"] = "Granularity.NOfM(2, 4) by |w| along the input channels at each kernel position, BatchNorm recalibrated, no retraining",
        ["fine-tune"] = $"fine-grained 50 % and 2:4, masks held, from the pruned model without recalibration: {FineTune(0).Recipe()} (seed = the run's seed)",
        ["evaluation"] = "accuracy on the validation split (5,000 images, the curves) and on the test split (10,000 images, reports)",
    };

    // The weights of the pruned layers, found by name (a shrunk model keeps its layers' names).
    private static List<Tensor> Weights(nn.Module model)
    {
        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
        return Layers.Select(l => ChannelCoupling.WeightOf(modules[l], l)).ToList();
    }
}
