namespace PruningLab.Training;

/// <summary>How to train: epochs, batch size, optimiser, schedule, seed, hooks and progress display.</summary>
public sealed record TrainingOptions
{
    /// <summary>Number of passes over the training set.</summary>
    public int Epochs { get; init; } = 5;

    /// <summary>Images per optimiser step.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>The optimiser; SGD with momentum 0.9 and learning rate 0.05 by default.</summary>
    public OptimizerSettings Optimizer { get; init; } = OptimizerSettings.Sgd(0.05, momentum: 0.9);

    /// <summary>Learning rate per epoch; constant by default.</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;

    /// <summary>Seeds the shuffling (and dropout, if any): the same seed gives the same run.</summary>
    public int Seed { get; init; }

    /// <summary>Called after every optimiser step (masks use this to keep pruned weights at zero).</summary>
    public IReadOnlyList<ITrainingHook> Hooks { get; init; } = [];

    /// <summary>How progress is shown; <see cref="ProgressDisplay.Auto"/> picks a bar on a terminal, a live line in a notebook.</summary>
    public ProgressDisplay Progress { get; init; } = ProgressDisplay.Auto;

    /// <summary>
    /// Every setting that decides the trained weights, as one line: the cache key of trained models. Hooks and the
    /// progress display are left out (hooks are code, and refused where a key is needed).
    /// </summary>
    public string Recipe() =>
        FormattableString.Invariant($"epochs={Epochs}; batch={BatchSize}; optimizer={Optimizer}; schedule={Schedule}; seed={Seed}");

    /// <summary>Checks the values and says which one is wrong.</summary>
    public void Validate()
    {
        if (Epochs < 0) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Epochs must be 0 or more.");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "The batch size must be at least 1 (128 is a good default).");
        ArgumentNullException.ThrowIfNull(Optimizer);
        ArgumentNullException.ThrowIfNull(Schedule);
    }
}

/// <summary>How the trainer reports progress.</summary>
public enum ProgressDisplay
{
    /// <summary>A live bar on an interactive terminal, one line per epoch when output is redirected, a live line in a notebook.</summary>
    Auto,
    /// <summary>A live bar on standard error.</summary>
    Bar,
    /// <summary>One line per epoch on standard error.</summary>
    Lines,
    /// <summary>Nothing.</summary>
    None,
    /// <summary>A line in the notebook cell, updated after every epoch (nothing outside a notebook).</summary>
    Notebook,
}
