using PruningLab.Data;
using PruningLab.Models;
using PruningLab.Pruning;
using PruningLab.Training;
using static System.FormattableString;
using static TorchSharp.torch;

namespace PruningLab.Experiments;

/// <summary>
/// The experiments of lesson 02 (train → prune → retrain), one function per run, shared by the lesson (which runs one
/// seed live) and by <c>./course experiments 02</c> (which runs every seed and stores the results). Every run is cached
/// by its full recipe (<see cref="RunCache"/>), so a second notebook runner loads what the first trained.
/// </summary>
/// <remarks>
/// Fairness: one-shot + fine-tune, iterative and gradual pruning get the same fine-tuning run, the same optimiser,
/// learning-rate schedule, epochs and seed. They differ only in when the weights are removed: all at once before
/// the run, in <see cref="Rounds"/> steps at epoch boundaries, or along Zhu &amp; Gupta's cubic schedule.
/// </remarks>
public static class RetrainingStudy
{
    /// <summary>The dense base model itself (setting 0): the reference every drop is measured from.</summary>
    public const string Dense = "dense";
    /// <summary>Pruned once, not retrained.</summary>
    public const string OneShot = "one-shot";
    /// <summary>Pruned once, then fine-tuned with the mask held.</summary>
    public const string FineTuned = "one-shot + fine-tune";
    /// <summary>Pruned in <see cref="Rounds"/> steps, one per fine-tuning epoch.</summary>
    public const string Iterative = "iterative";
    /// <summary>Pruned along the cubic schedule during fine-tuning.</summary>
    public const string Gradual = "gradual";
    /// <summary>Not pruned, fine-tuned for the same epochs: the control for "pruning improves accuracy".</summary>
    public const string DenseFineTuned = "dense + fine-tune";
    /// <summary>Fine-tuned at 90 % with the learning rate in the setting: the validation sweep that chose the rate.</summary>
    public const string RateSweep = "fine-tune rate at 90 %";
    /// <summary>Fine-tuned at 90 % for one epoch at learning rate 0.001 (pitfall: too little retraining).</summary>
    public const string TooLittle = "1 epoch at lr 0.001";
    /// <summary>Fine-tuned at 90 % for one epoch at the usual rate.</summary>
    public const string OneEpoch = "1 epoch at lr 0.02";
    /// <summary>Trained from scratch for <see cref="ScratchEpochs"/> epochs, pruned to 95 % after the number of epochs in the setting.</summary>
    public const string PrunedAfter = "pruned to 95 % after k of 6 epochs";
    /// <summary>Trained from scratch for <see cref="ScratchEpochs"/> epochs and never pruned: the reference of <see cref="PrunedAfter"/>.</summary>
    public const string ScratchDense = "dense, 6 epochs from scratch";
    /// <summary>LeNet-300-100 pruned to the weight count of the small MLP, fine-tuned (setting: non-zero weights).</summary>
    public const string LargeSparse = "LeNet-300-100, pruned";
    /// <summary>The small dense MLP of the same weight count, trained as long (setting: its weights).</summary>
    public const string SmallDense = "784-34-10, dense";

    /// <summary>The sparsities of the curves: the brick wall lies past 98 %.</summary>
    public static IReadOnlyList<double> Sparsities { get; } = [0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995];

    /// <summary>Fine-tuning epochs of every method (the equal budget).</summary>
    public const int FineTuneEpochs = 4;
    /// <summary>Fine-tuning learning rate, chosen on the validation split (<see cref="RateSweep"/>).</summary>
    public const double FineTuneRate = 0.02;
    /// <summary>The learning rates of the sweep.</summary>
    public static IReadOnlyList<double> Rates { get; } = [0.005, 0.01, 0.02, 0.05];
    /// <summary>Pruning steps of the iterative method: one at the start of each fine-tuning epoch.</summary>
    public const int Rounds = FineTuneEpochs;
    /// <summary>Updates of the gradual schedule, spread over the first three quarters of fine-tuning.</summary>
    public const int GradualUpdates = 30;
    /// <summary>Epochs of the from-scratch runs of the "too early" pitfall.</summary>
    public const int ScratchEpochs = 6;
    /// <summary>After how many of the <see cref="ScratchEpochs"/> epochs those runs prune.</summary>
    public static IReadOnlyList<int> PruneAfterEpochs { get; } = [0, 1, 3, 5];
    /// <summary>The hidden width of the small dense MLP: 784·34 + 34·10 = 26,996 weights, about 10 % of LeNet-300-100's.</summary>
    public const int SmallHidden = 34;

    /// <summary>The fine-tuning recipe: SGD with momentum 0.9, cosine decay, batch 128; the shuffling follows the seed.</summary>
    public static TrainingOptions FineTune(int seed, int epochs = FineTuneEpochs, double rate = FineTuneRate) => new()
    {
        Epochs = epochs, BatchSize = 128, Seed = 1 + 100 * seed,
        Optimizer = OptimizerSettings.Sgd(rate, momentum: 0.9),
        Schedule = LearningRateSchedule.Cosine(),
    };

    /// <summary>The dense base model itself, as the <see cref="Dense"/> row: the reference of every drop.</summary>
    public static Measurement MeasureDense(PretrainedModel dense, CourseData data, int seed)
    {
        ArgumentNullException.ThrowIfNull(dense);
        return Measurement.Of(Dense, 0, seed, dense.Model, sparsity: 0, data, PretrainedModels.BaseRecipe.Epochs);
    }

    /// <summary>Prunes a copy of the dense model globally by magnitude, without retraining.</summary>
    public static Measurement MeasureOneShot(PretrainedModel dense, CourseData data, double sparsity, int seed) =>
        SparsityStudy.Measure(dense, data, seed, OneShot, sparsity, Scope.Global(sparsity), Importance.Magnitude);

    /// <summary>Prunes a copy globally to <paramref name="sparsity"/>, then fine-tunes it with the mask held.</summary>
    public static TrainedRun RunFineTuned(PretrainedModel dense, CourseData data, double sparsity, TrainingOptions fineTune, bool cache = true) =>
        FromDense(dense, data, Invariant($"prune global {sparsity:R}, then fine-tune"), fineTune, cache, masks =>
        {
            masks.Prune(Scope.Global(sparsity));
            return [masks.Hook];
        });

    /// <summary>Prunes a copy globally down to exactly <paramref name="nonZeros"/> weights, then fine-tunes it.</summary>
    public static TrainedRun RunFineTunedTo(PretrainedModel dense, CourseData data, long nonZeros, TrainingOptions fineTune, bool cache = true) =>
        FromDense(dense, data, Invariant($"prune global to {nonZeros} non-zeros, then fine-tune"), fineTune, cache, masks =>
        {
            masks.Prune(Scope.Global(Amount.Exactly(masks.Total - nonZeros)));
            return [masks.Hook];
        });

    /// <summary>Fine-tunes a copy without pruning it (the dense control).</summary>
    public static TrainedRun RunDenseFineTuned(PretrainedModel dense, CourseData data, TrainingOptions fineTune, bool cache = true) =>
        FromDense(dense, data, "fine-tune, no pruning", fineTune, cache, _ => []);

    /// <summary>
    /// Iterative pruning inside one fine-tuning run: the sparsity rises to <paramref name="sparsity"/> in
    /// <see cref="Rounds"/> steps, 1 − (1 − s)^(r/R), pruning before the first epoch and at the end of every epoch but the last.
    /// </summary>
    public static TrainedRun RunIterative(PretrainedModel dense, CourseData data, double sparsity, TrainingOptions fineTune, bool cache = true)
    {
        var steps = IterativePruning.Steps(sparsity, Rounds);
        var perEpoch = StepsPerEpoch(data, fineTune);
        var epochsPerRound = fineTune.Epochs / Rounds;
        var targets = Enumerable.Range(1, Rounds - 1).Select(r => (Step: r * epochsPerRound * perEpoch - 1, Sparsity: steps[r])).ToList();
        return RunScheduled(dense, data, Invariant($"iterative, {steps[0]:R} before training, then {Describe(targets)}"), steps[0], targets, fineTune, cache);
    }

    /// <summary>
    /// Zhu &amp; Gupta's gradual pruning inside one fine-tuning run, from 0 to <paramref name="sparsity"/> over the first
    /// three quarters of the optimiser steps (<see cref="GradualUpdates"/> updates); <paramref name="sparsityAt"/>, if
    /// given, replaces the schedule's own formula (the learner's, in the lesson).
    /// </summary>
    public static TrainedRun RunGradual(PretrainedModel dense, CourseData data, double sparsity, TrainingOptions fineTune,
        Func<long, double>? sparsityAt = null, bool cache = true)
    {
        var schedule = GradualSchedule(data, sparsity, fineTune);
        sparsityAt ??= schedule.SparsityAt;
        var targets = Enumerable.Range(0, schedule.PruningSteps + 1).Select(i => schedule.StartStep + i * schedule.Frequency)
            .Select(step => (Step: step, Sparsity: sparsityAt(step))).ToList();
        return RunScheduled(dense, data, $"gradual: {Describe(targets)}", 0, targets, fineTune, cache);
    }

    /// <summary>
    /// The target sparsity over the optimiser steps of one fine-tuning run, for <see cref="FineTuned"/>,
    /// <see cref="Iterative"/> or <see cref="Gradual"/>: (step, sparsity) points of a step function, to draw.
    /// </summary>
    public static IReadOnlyList<(double X, double Y)> Plan(string method, CourseData data, double sparsity, TrainingOptions fineTune)
    {
        var total = StepsPerEpoch(data, fineTune) * fineTune.Epochs;
        IEnumerable<(long Step, double Sparsity)> changes = method switch
        {
            FineTuned => [(0, sparsity)],
            Iterative => IterativePruning.Steps(sparsity, Rounds)
                .Select((s, r) => ((long)(r * (fineTune.Epochs / Rounds) * StepsPerEpoch(data, fineTune)), s)),
            Gradual => GradualSchedule(data, sparsity, fineTune) is var g
                ? Enumerable.Range(0, g.PruningSteps + 1).Select(i => (g.StartStep + i * g.Frequency, g.SparsityAt(g.StartStep + i * g.Frequency)))
                : [],
            _ => throw new ArgumentException($"No pruning plan for '{method}': use {FineTuned}, {Iterative} or {Gradual}.", nameof(method)),
        };
        var points = new List<(double X, double Y)>();
        var current = 0.0;
        foreach (var (step, target) in changes)
        {
            points.Add((step, current * 100));
            points.Add((step, target * 100));
            current = target;
        }
        points.Add((total, current * 100));
        return points;
    }

    /// <summary>The schedule of <see cref="RunGradual"/>: s_i = 0, s_f = the sparsity, t₀ = 0, n = 30, Δt = ¾ of the steps / 30.</summary>
    public static PolynomialSchedule GradualSchedule(CourseData data, double sparsity, TrainingOptions fineTune)
    {
        var total = StepsPerEpoch(data, fineTune) * fineTune.Epochs;
        return new PolynomialSchedule(0, sparsity, StartStep: 0, PruningSteps: GradualUpdates, Frequency: Math.Max(1, total * 3 / 4 / GradualUpdates));
    }

    /// <summary>
    /// From scratch: trains a new LeNet-300-100 for <see cref="ScratchEpochs"/> epochs with the base recipe and prunes it
    /// globally to <paramref name="sparsity"/> after <paramref name="pruneAfter"/> epochs (0: at initialisation), the mask
    /// held from then on. Every value of <paramref name="pruneAfter"/> costs the same epochs.
    /// </summary>
    public static TrainedRun RunPrunedAfter(CourseData data, int seed, int pruneAfter, double sparsity = 0.95, bool cache = true)
    {
        if (sparsity == 0) pruneAfter = 0;   // never pruned: the dense reference run
        if (pruneAfter < 0 || pruneAfter >= ScratchEpochs)
            throw new ArgumentOutOfRangeException(nameof(pruneAfter), pruneAfter, $"Prune after 0 … {ScratchEpochs - 1} of the {ScratchEpochs} epochs.");
        var recipe = PretrainedModels.BaseRecipe with { Epochs = ScratchEpochs, Seed = seed };
        var perEpoch = StepsPerEpoch(data, recipe);
        return RunCache.Get(Invariant($"scratch {ModelZoo.LeNet300100} seed {seed}|prune global {sparsity:R} after {pruneAfter} epochs|{recipe.Recipe()}|{data.Train.Count}"),
            () => ModelZoo.Create(ModelZoo.LeNet300100, seed),
            (model, masks) =>
            {
                if (pruneAfter == 0 && sparsity > 0) masks.Prune(Scope.Global(sparsity));
                List<(long, double)> targets = pruneAfter == 0 ? [] : [(pruneAfter * perEpoch - 1, sparsity)];
                return Trainer.Fit(model, data.Train, data.Validation, recipe with { Hooks = [new GradualPruning(masks, targets)] });
            }, cache);
    }

    /// <summary>Trains the small dense MLP 784-<see cref="SmallHidden"/>-10 from scratch for <paramref name="epochs"/> epochs with the base recipe.</summary>
    public static TrainedRun RunSmallDense(CourseData data, int seed, int epochs, bool cache = true)
    {
        var architecture = ModelZoo.Mlp(SmallHidden);
        var recipe = PretrainedModels.BaseRecipe with { Epochs = epochs, Seed = seed };
        return RunCache.Get(Invariant($"scratch {architecture} seed {seed}|{recipe.Recipe()}|{data.Train.Count}"), () => ModelZoo.Create(architecture, seed),
            (model, _) => Trainer.Fit(model, data.Train, data.Validation, recipe), cache);
    }

    /// <summary>The weights of the small dense MLP: what the large one is pruned down to.</summary>
    public static long SmallDenseWeights => 784L * SmallHidden + SmallHidden * 10L;

    /// <summary>Validation and test accuracy and the sparsity of a trained run, as one row.</summary>
    public static Measurement Measure(string method, double setting, int seed, TrainedRun run, CourseData data, double epochs)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Measurement.Of(method, setting, seed, run.Model, run.Masks.Sparsity, data, epochs);
    }

    /// <summary>Every run of the study for one seed, in the order of the lesson (for <c>./course experiments 02</c>).</summary>
    /// <param name="data">The splits.</param>
    /// <param name="seed">The seed of the base model and of every run.</param>
    /// <param name="onRow">Called after every row (progress).</param>
    /// <param name="cache">Whether to keep every trained model in the run cache (the lessons do; the full study needs not).</param>
    public static List<Measurement> RunSeed(CourseData data, int seed, Action<Measurement>? onRow = null, bool cache = false)
    {
        var rows = new List<Measurement>();
        void Add(Measurement m) { rows.Add(m); onRow?.Invoke(m); }
        void AddRun(string method, double setting, TrainedRun run, double epochs) { using (run) Add(Measure(method, setting, seed, run, data, epochs)); }

        var dense = PretrainedModels.LeNet300100(data, seed);
        var fineTune = FineTune(seed);
        Add(MeasureDense(dense, data, seed));
        foreach (var rate in Rates)
            AddRun(RateSweep, rate, RunFineTuned(dense, data, 0.9, FineTune(seed, rate: rate), cache), FineTuneEpochs);
        foreach (var s in Sparsities)
        {
            Add(MeasureOneShot(dense, data, s, seed));
            AddRun(FineTuned, s, RunFineTuned(dense, data, s, fineTune, cache), FineTuneEpochs);
            AddRun(Iterative, s, RunIterative(dense, data, s, fineTune, cache), FineTuneEpochs);
            AddRun(Gradual, s, RunGradual(dense, data, s, fineTune, cache: cache), FineTuneEpochs);
        }
        AddRun(DenseFineTuned, 0, RunDenseFineTuned(dense, data, fineTune, cache), FineTuneEpochs);
        AddRun(TooLittle, 0.9, RunFineTuned(dense, data, 0.9, FineTune(seed, epochs: 1, rate: 0.001), cache), 1);
        AddRun(OneEpoch, 0.9, RunFineTuned(dense, data, 0.9, FineTune(seed, epochs: 1), cache), 1);
        foreach (var k in PruneAfterEpochs)
            AddRun(PrunedAfter, k, RunPrunedAfter(data, seed, k, cache: cache), ScratchEpochs);
        AddRun(ScratchDense, 0, RunPrunedAfter(data, seed, 0, sparsity: 0, cache: cache), ScratchEpochs);
        AddRun(LargeSparse, SmallDenseWeights, RunFineTunedTo(dense, data, SmallDenseWeights, fineTune, cache), PretrainedModels.BaseRecipe.Epochs + FineTuneEpochs);
        var smallEpochs = PretrainedModels.BaseRecipe.Epochs + FineTuneEpochs;
        AddRun(SmallDense, SmallDenseWeights, RunSmallDense(data, seed, smallEpochs, cache), smallEpochs);
        dense.Model.Dispose();
        return rows;
    }

    /// <summary>The settings of the study, for provenance.</summary>
    public static Dictionary<string, string> Settings() => new()
    {
        ["base recipe"] = PretrainedModels.BaseRecipe.Recipe() + " (seed = the run's seed)",
        ["fine-tune recipe"] = FineTune(0).Recipe() + " (seed = 1 + 100 × the run's seed)",
        ["sparsities"] = string.Join(", ", Sparsities),
        ["pruning"] = "global magnitude, masks held after every optimiser step",
        ["iterative"] = $"{Rounds} steps of 1 − (1 − s)^(r/{Rounds}) at epoch boundaries, inside the same fine-tuning run",
        ["gradual"] = $"Zhu & Gupta cubic schedule from 0, {GradualUpdates} updates over the first three quarters of fine-tuning",
        ["rate sweep"] = string.Join(", ", Rates),
        ["pruned after"] = $"{ScratchEpochs} epochs from scratch with the base recipe, pruned to 95 % after {string.Join(", ", PruneAfterEpochs)} epochs, and never",
        ["large vs small"] = $"LeNet-300-100 pruned to {SmallDenseWeights} weights ({PretrainedModels.BaseRecipe.Epochs} + {FineTuneEpochs} epochs) vs {ModelZoo.Mlp(SmallHidden)} trained {PretrainedModels.BaseRecipe.Epochs + FineTuneEpochs} epochs",
        ["evaluation"] = "accuracy on the validation split (5,000 images, choices) and on the test split (10,000 images, reports)",
    };

    private static TrainedRun RunScheduled(PretrainedModel dense, CourseData data, string plan, double initial,
        IReadOnlyList<(long Step, double Sparsity)> targets, TrainingOptions fineTune, bool cache) =>
        FromDense(dense, data, plan, fineTune, cache, masks =>
        {
            if (initial > 0) masks.PruneTo(initial);
            return [new GradualPruning(masks, targets)];
        });

    // Every run that starts from the dense model: a copy, pruned as `prepare` says, then fine-tuned with the hooks it
    // returns (the masks' hold, or a pruning schedule). The plan text names the pruning in the cache key.
    private static TrainedRun FromDense(PretrainedModel dense, CourseData data, string plan, TrainingOptions fineTune, bool cache,
        Func<ModelMasks, IReadOnlyList<ITrainingHook>> prepare) =>
        RunCache.Get(Invariant($"{dense.Key}|{plan}|{fineTune.Recipe()}|{data.Train.Count}"), () => ModelZoo.Copy(dense.Model),
            (model, masks) => Trainer.Fit(model, data.Train, data.Validation, fineTune with { Hooks = prepare(masks) }), cache);

    private static long StepsPerEpoch(CourseData data, TrainingOptions options) => (data.Train.Count + options.BatchSize - 1) / options.BatchSize;

    private static string Describe(IEnumerable<(long Step, double Sparsity)> targets) =>
        string.Join(" ", targets.Select(t => Invariant($"{t.Step}:{t.Sparsity:R}")));
}
