namespace PruningLab.Training;

/// <summary>
/// The learning rate of each epoch as a function of the base rate: constant, step decay or cosine annealing.
/// Evaluated at the start of every epoch.
/// </summary>
public abstract record LearningRateSchedule
{
    /// <summary>The base learning rate throughout.</summary>
    public static LearningRateSchedule Constant { get; } = new ConstantSchedule();

    /// <summary>Multiplies the rate by <paramref name="gamma"/> every <paramref name="everyEpochs"/> epochs.</summary>
    public static LearningRateSchedule Step(int everyEpochs, double gamma = 0.1) =>
        everyEpochs > 0 ? new StepSchedule(everyEpochs, gamma)
            : throw new ArgumentOutOfRangeException(nameof(everyEpochs), everyEpochs, "The step must be at least one epoch.");

    /// <summary>Cosine annealing from the base rate to <paramref name="minimum"/> over the run's epochs.</summary>
    public static LearningRateSchedule Cosine(double minimum = 0) => new CosineSchedule(minimum);

    /// <summary>The learning rate for <paramref name="epoch"/> (0-based) of <paramref name="totalEpochs"/>.</summary>
    public abstract double RateAt(int epoch, int totalEpochs, double baseRate);

    private sealed record ConstantSchedule : LearningRateSchedule
    {
        public override double RateAt(int epoch, int totalEpochs, double baseRate) => baseRate;
        public override string ToString() => "constant";
    }

    private sealed record StepSchedule(int EveryEpochs, double Gamma) : LearningRateSchedule
    {
        public override double RateAt(int epoch, int totalEpochs, double baseRate) =>
            baseRate * Math.Pow(Gamma, epoch / EveryEpochs);
        public override string ToString() => FormattableString.Invariant($"step(every {EveryEpochs}, ×{Gamma})");
    }

    private sealed record CosineSchedule(double Minimum) : LearningRateSchedule
    {
        public override double RateAt(int epoch, int totalEpochs, double baseRate) =>
            Minimum + (baseRate - Minimum) * 0.5 * (1 + Math.Cos(Math.PI * epoch / Math.Max(1, totalEpochs)));
        public override string ToString() => Minimum == 0 ? "cosine" : FormattableString.Invariant($"cosine(to {Minimum})");
    }
}
