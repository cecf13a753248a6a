using PruningLab.Data;
using PruningLab.Models;
using PruningLab.Structured;
using PruningLab.Training;
using static System.FormattableString;

namespace PruningLab.Experiments;

/// <summary>
/// The measurements of lesson 04: the small VGG with 30 % and 50 % of every convolution's channels removed (lowest L2
/// norm of their filters first), before and after a short fine-tune, and the same slim architecture trained from scratch
/// for the same total epochs as the dense model plus its fine-tune (Liu et al., 2019, "Rethinking the value of network
/// pruning"). <c>./course experiments 04</c> runs three seeds; the lesson recomputes seed 0.
/// </summary>
public static class ChannelStudy
{
    /// <summary>The dense base model.</summary>
    public const string Dense = "dense";
    /// <summary>Channels removed, no fine-tuning.</summary>
    public const string Removed = "channels removed";
    /// <summary>Channels removed, then BatchNorm's running statistics measured again (no training).</summary>
    public const string Recalibrated = "channels removed + BatchNorm recalibrated";
    /// <summary>Channels removed, then fine-tuned.</summary>
    public const string FineTuned = "channels removed + fine-tune";
    /// <summary>The slim architecture trained from scratch for the dense epochs plus the fine-tune's.</summary>
    public const string Scratch = "slim from scratch";

    /// <summary>The shares of every convolution's channels that are removed.</summary>
    public static IReadOnlyList<double> Fractions { get; } = [0.3, 0.5];
    /// <summary>
    /// Fine-tuning epochs after removal. Chosen, with <see cref="FineTuneRate"/>, on seed 0's validation split at 50 %
    /// among (1 epoch, 0.05), (1, 0.01) and (2, 0.01) with the L2 criterion: 87.40 %, 88.04 %, 89.74 %.
    /// </summary>
    public const int FineTuneEpochs = 2;
    /// <summary>Fine-tuning learning rate (SGD with momentum 0.9, cosine).</summary>
    public const double FineTuneRate = 0.01;

    /// <summary>The criterion: the L2 norm of each output filter.</summary>
    public static IChannelImportance Criterion { get; } = ChannelImportance.OutputFilters(2);

    /// <summary>The fine-tuning recipe.</summary>
    public static TrainingOptions FineTune(int seed) => PretrainedModels.CnnRecipe with
    {
        Epochs = FineTuneEpochs, Seed = seed, Optimizer = OptimizerSettings.Sgd(FineTuneRate, momentum: 0.9),
    };

    /// <summary>The channels every group keeps at <paramref name="fraction"/>.</summary>
    public static Dictionary<string, long[]> Keep(PretrainedModel dense, double fraction) => ChannelPruning.Select(dense.Model, fraction, Criterion);

    /// <summary>The shrunk model, fine-tuned (cached by recipe, so the lesson's runners share it).</summary>
    public static TrainedRun RunFineTuned(PretrainedModel dense, CourseData data, int seed, double fraction, bool cache = true) =>
        RunCache.Get(Invariant($"from {dense.Key}: remove {fraction:R} of every conv's channels by {Criterion}, shrink, fine-tune|{FineTune(seed).Recipe()}"),
            () => ChannelSurgery.Shrink(dense.Model, Keep(dense, fraction)),
            (model, _) => Trainer.Fit(model, data.Train, data.Validation, FineTune(seed)), cache);

    /// <summary>The slim architecture of <paramref name="fraction"/> trained from scratch for the dense epochs plus the fine-tune's.</summary>
    public static TrainedRun RunScratch(PretrainedModel dense, CourseData data, int seed, double fraction, bool cache = true)
    {
        using var slim = ChannelSurgery.Shrink(dense.Model, Keep(dense, fraction));
        var architecture = slim.GetName();
        var recipe = PretrainedModels.CnnRecipe with { Epochs = PretrainedModels.CnnRecipe.Epochs + FineTuneEpochs, Seed = seed };
        return RunCache.Get(Invariant($"scratch {architecture}|{recipe.Recipe()}|{data.Train.Count}"), () => ModelZoo.Create(architecture, seed),
            (model, _) => Trainer.Fit(model, data.Train, data.Validation, recipe), cache);
    }

    /// <summary>Every measurement of the lesson for one seed.</summary>
    public static List<Measurement> RunSeed(CourseData data, int seed, Action<Measurement>? onRow = null, bool cache = true)
    {
        var dense = PretrainedModels.SmallVgg(data, seed);
        var rows = new List<Measurement>();
        void Add(Measurement m) { rows.Add(m); onRow?.Invoke(m); }
        Add(Measurement.Of(Dense, 0, seed, dense.Model, 0, data, PretrainedModels.CnnRecipe.Epochs));
        var shares = Fractions.ToDictionary(f => f, f => RemovedShare(dense, f));
        foreach (var fraction in Fractions)
        {
            var share = shares[fraction];
            using (var shrunk = ChannelSurgery.Shrink(dense.Model, Keep(dense, fraction)))
            {
                Add(Measurement.Of(Removed, fraction, seed, shrunk, share, data, 0));
                BatchNormRecalibration.Recalibrate(shrunk, data.Train);
                Add(Measurement.Of(Recalibrated, fraction, seed, shrunk, share, data, 0));
            }
            using (var run = RunFineTuned(dense, data, seed, fraction, cache))
                Add(Measurement.Of(FineTuned, fraction, seed, run.Model, share, data, FineTuneEpochs));
        }
        var last = Fractions[^1];
        using (var scratch = RunScratch(dense, data, seed, last, cache))
            Add(Measurement.Of(Scratch, last, seed, scratch.Model, shares[last], data, PretrainedModels.CnnRecipe.Epochs + FineTuneEpochs));
        dense.Model.Dispose();
        return rows;
    }

    /// <summary>The share of the dense model's parameters that removing <paramref name="fraction"/> of the channels removes (stored as the rows' sparsity).</summary>
    public static double RemovedShare(PretrainedModel dense, double fraction) => ChannelPruning.RemovedShare(dense.Model, Keep(dense, fraction));

    /// <summary>The settings of the study, for provenance.</summary>
    public static Dictionary<string, string> Settings() => new()
    {
        ["base recipe"] = PretrainedModels.CnnRecipe.Recipe() + " (seed = the run's seed), small VGG " + ModelZoo.SmallVgg,
        ["removal"] = $"{string.Join(", ", Fractions)} of every convolution's channels, lowest {Criterion} first, then ChannelSurgery.Shrink",
        ["recalibration"] = "BatchNormRecalibration.Recalibrate: running statistics averaged over the first 20 batches of 256 training images, no training",
        ["fine-tune"] = FineTune(0).Recipe() + " (seed = the run's seed), from the shrunk model without recalibration; epochs and rate chosen on seed 0's validation split at 50 % among (1 epoch, lr 0.05), (1, 0.01), (2, 0.01)",
        ["from scratch"] = $"the slim architecture at {Fractions[^1]}, {PretrainedModels.CnnRecipe.Epochs + FineTuneEpochs} epochs of the base recipe",
        ["sparsity column"] = "the share of the dense model's parameters removed",
        ["evaluation"] = "accuracy on the validation split (5,000 images) and on the test split (10,000 images)",
    };

}
