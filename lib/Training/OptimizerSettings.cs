using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruningLab.Training;

/// <summary>
/// Which optimiser to train with and its hyper-parameters. Build one with <see cref="Sgd"/> or
/// <see cref="Adam"/>; the trainer calls <see cref="Create"/> once per run.
/// </summary>
public abstract record OptimizerSettings(double LearningRate, double WeightDecay)
{
    /// <summary>Stochastic gradient descent, optionally with (Nesterov) momentum and L2 weight decay.</summary>
    public static OptimizerSettings Sgd(double learningRate, double momentum = 0.9, bool nesterov = false, double weightDecay = 0)
        => new SgdSettings(Positive(learningRate, nameof(learningRate)), momentum, nesterov, weightDecay);

    /// <summary>Adam (Kingma &amp; Ba, 2015) with L2 weight decay.</summary>
    public static OptimizerSettings Adam(double learningRate = 1e-3, double weightDecay = 0)
        => new AdamSettings(Positive(learningRate, nameof(learningRate)), weightDecay);

    /// <summary>Creates the TorchSharp optimiser over <paramref name="parameters"/>.</summary>
    public abstract optim.Optimizer Create(IEnumerable<Parameter> parameters);

    private static double Positive(double value, string name) =>
        value > 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(name, value, "The learning rate must be a positive, finite number (for example 0.05).");
}

/// <summary>SGD settings; see <see cref="OptimizerSettings.Sgd"/>.</summary>
public sealed record SgdSettings(double LearningRate, double Momentum, bool Nesterov, double WeightDecay)
    : OptimizerSettings(LearningRate, WeightDecay)
{
    /// <inheritdoc/>
    public override optim.Optimizer Create(IEnumerable<Parameter> parameters) =>
        optim.SGD(parameters, LearningRate, momentum: Momentum, weight_decay: WeightDecay, nesterov: Nesterov);

    /// <inheritdoc/>
    public override string ToString() =>
        FormattableString.Invariant($"SGD(lr={LearningRate}, momentum={Momentum}{(Nesterov ? ", nesterov" : "")}{(WeightDecay != 0 ? FormattableString.Invariant($", weight decay={WeightDecay}") : "")})");
}

/// <summary>Adam settings; see <see cref="OptimizerSettings.Adam"/>.</summary>
public sealed record AdamSettings(double LearningRate, double WeightDecay) : OptimizerSettings(LearningRate, WeightDecay)
{
    /// <inheritdoc/>
    public override optim.Optimizer Create(IEnumerable<Parameter> parameters) =>
        optim.Adam(parameters, LearningRate, weight_decay: WeightDecay);

    /// <inheritdoc/>
    public override string ToString() =>
        FormattableString.Invariant($"Adam(lr={LearningRate}{(WeightDecay != 0 ? FormattableString.Invariant($", weight decay={WeightDecay}") : "")})");
}
