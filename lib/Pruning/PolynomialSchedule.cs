using PruningLab.Exercises;

namespace PruningLab.Pruning;

/// <summary>
/// The gradual pruning schedule of Zhu &amp; Gupta (2017), "To prune, or not to prune":
/// s_t = s_f + (s_i − s_f)·(1 − (t − t₀)/(n·Δt))^p for t₀ ≤ t ≤ t₀ + n·Δt, with masks updated every Δt steps and
/// p = 3 in the paper (TF-MOT's <c>PolynomialDecay</c> calls it <c>power</c>). Sparsity rises fast at first, while
/// there are many redundant weights, and slowly at the end. Lesson 02.
/// </summary>
/// <param name="InitialSparsity">s_i, the sparsity at step t₀ (often 0).</param>
/// <param name="FinalSparsity">s_f, reached at step t₀ + n·Δt and kept afterwards.</param>
/// <param name="StartStep">t₀, the optimiser step of the first pruning.</param>
/// <param name="PruningSteps">n, the number of pruning updates after the first.</param>
/// <param name="Frequency">Δt, optimiser steps between updates.</param>
/// <param name="Exponent">p, the power of the decay (3 in the paper).</param>
public sealed record PolynomialSchedule(double InitialSparsity, double FinalSparsity, long StartStep, int PruningSteps, long Frequency, double Exponent = 3)
{
    /// <summary>Checks the values and names the wrong one.</summary>
    public PolynomialSchedule Validate()
    {
        _ = Amount.Of(InitialSparsity);
        _ = Amount.Of(FinalSparsity);
        if (FinalSparsity < InitialSparsity) throw new ArgumentException($"The final sparsity ({FinalSparsity}) must not be below the initial one ({InitialSparsity}).");
        if (StartStep < 0) throw new ArgumentOutOfRangeException(nameof(StartStep), StartStep, "The start step must be 0 or more.");
        if (PruningSteps < 1) throw new ArgumentOutOfRangeException(nameof(PruningSteps), PruningSteps, "At least one pruning step is needed.");
        if (Frequency < 1) throw new ArgumentOutOfRangeException(nameof(Frequency), Frequency, "The frequency Δt must be at least one optimiser step.");
        if (!(Exponent > 0) || double.IsInfinity(Exponent)) throw new ArgumentOutOfRangeException(nameof(Exponent), Exponent, "The exponent must be a positive number (3 in Zhu & Gupta).");
        return this;
    }

    /// <summary>The last step at which the sparsity changes: t₀ + n·Δt.</summary>
    public long EndStep => StartStep + PruningSteps * Frequency;

    /// <summary>The target sparsity at optimiser step <paramref name="step"/> (s_i before t₀, s_f after the end). The reference of exercise 2.3.</summary>
    public double SparsityAt(long step)
    {
        ReferenceUse.Note(ReferenceUse.Schedule);
        if (step <= StartStep) return InitialSparsity;
        if (step >= EndStep) return FinalSparsity;
        var progress = (step - StartStep) / (double)(PruningSteps * Frequency);
        return FinalSparsity + (InitialSparsity - FinalSparsity) * Math.Pow(1 - progress, Exponent);
    }

    /// <summary>Whether the masks are updated at <paramref name="step"/> (t₀, t₀ + Δt, …, t₀ + n·Δt).</summary>
    public bool IsUpdateStep(long step) => step >= StartStep && step <= EndStep && (step - StartStep) % Frequency == 0;
}
