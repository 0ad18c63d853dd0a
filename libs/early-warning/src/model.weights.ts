/**
 * The early-warning model's weights, written by `learnstream early-warning train` (docs/early-warning.md).
 * JSON in a module, so that the build carries it; edit by training again, not by hand.
 */
import type { EarlyWarningModel } from './model';

export const TRAINED_MODEL: EarlyWarningModel = {
  "version": 1,
  "description": "Logistic regression: risk that a learner fails or withdraws, from what the course log says by a date (docs/early-warning.md).",
  "trainedOn": "AAA 2013J, AAA 2014J, BBB 2013B, BBB 2013J, BBB 2014B, BBB 2014J, CCC 2014B, CCC 2014J, DDD 2013B, DDD 2013J, DDD 2014B, DDD 2014J (days 30, 60, 90)",
  "atDays": [
    30,
    60,
    90
  ],
  "l2": 1,
  "features": [
    "submittedShare",
    "scoreRank",
    "trend",
    "lateShare",
    "leadRank",
    "daysSinceLast",
    "classSubmittedShare"
  ],
  "mean": [
    0.863608,
    0.5,
    0.0361514,
    0.316656,
    0.5,
    24.1875,
    0.863608
  ],
  "sd": [
    0.295274,
    0.287313,
    0.185185,
    0.375275,
    0.27941,
    27.0892,
    0.0598987
  ],
  "intercept": -0.262201,
  "weights": [
    -0.0342433,
    -0.99175,
    -0.227415,
    0.117313,
    -0.223999,
    0.350692,
    -0.105892
  ],
  "thresholds": {
    "precision-first": {
      "threshold": 0.503558,
      "expectedPrecision": 0.700029,
      "expectedRecall": 0.61383,
      "rule": "the lowest risk whose precision on held-out modules was at least 0.7: the most learners found with at most 30 % false alarms"
    },
    "recall-first": {
      "threshold": 0.320231,
      "expectedPrecision": 0.605117,
      "expectedRecall": 0.80001,
      "rule": "the highest risk that still found 80 % of the learners who went on to fail or withdraw, on held-out modules"
    }
  },
  "validation": {
    "byDay": [
      {
        "day": 30,
        "pooled": {
          "learners": 15889,
          "positives": 7322,
          "baseRate": 0.460822,
          "rocAuc": 0.74213,
          "prAuc": 0.727238,
          "precision": 0.693085,
          "recall": 0.552991,
          "f1": 0.615163,
          "recallAtPrecision70": 0.525266,
          "recallAtPrecision80": 0.343622
        },
        "byGroup": {
          "AAA": {
            "learners": 716,
            "positives": 185,
            "baseRate": 0.25838,
            "rocAuc": 0.704265,
            "prAuc": 0.50061,
            "precision": 0.40625,
            "recall": 0.562162,
            "f1": 0.471655,
            "recallAtPrecision70": 0.254054,
            "recallAtPrecision80": 0.194595
          },
          "BBB": {
            "learners": 6414,
            "positives": 2663,
            "baseRate": 0.415186,
            "rocAuc": 0.707416,
            "prAuc": 0.681231,
            "precision": 0.573442,
            "recall": 0.580548,
            "f1": 0.576973,
            "recallAtPrecision70": 0.43297,
            "recallAtPrecision80": 0.346977
          },
          "CCC": {
            "learners": 3501,
            "positives": 1823,
            "baseRate": 0.520708,
            "rocAuc": 0.803066,
            "prAuc": 0.810023,
            "precision": 0.800816,
            "recall": 0.646188,
            "f1": 0.71524,
            "recallAtPrecision70": 0.783324,
            "recallAtPrecision80": 0.646188
          },
          "DDD": {
            "learners": 5258,
            "positives": 2651,
            "baseRate": 0.504184,
            "rocAuc": 0.792233,
            "prAuc": 0.801793,
            "precision": 0.860465,
            "recall": 0.460581,
            "f1": 0.6,
            "recallAtPrecision70": 0.754432,
            "recallAtPrecision80": 0.577141
          }
        }
      },
      {
        "day": 60,
        "pooled": {
          "learners": 15138,
          "positives": 6568,
          "baseRate": 0.433875,
          "rocAuc": 0.793861,
          "prAuc": 0.753066,
          "precision": 0.732716,
          "recall": 0.590591,
          "f1": 0.654021,
          "recallAtPrecision70": 0.66961,
          "recallAtPrecision80": 0.302832
        },
        "byGroup": {
          "AAA": {
            "learners": 701,
            "positives": 170,
            "baseRate": 0.242511,
            "rocAuc": 0.775607,
            "prAuc": 0.524247,
            "precision": 0.456604,
            "recall": 0.711765,
            "f1": 0.556322,
            "recallAtPrecision70": 0.164706,
            "recallAtPrecision80": 0.0764706
          },
          "BBB": {
            "learners": 6223,
            "positives": 2470,
            "baseRate": 0.396915,
            "rocAuc": 0.796949,
            "prAuc": 0.763117,
            "precision": 0.706905,
            "recall": 0.592713,
            "f1": 0.644792,
            "recallAtPrecision70": 0.613765,
            "recallAtPrecision80": 0.461538
          },
          "CCC": {
            "learners": 3210,
            "positives": 1532,
            "baseRate": 0.477259,
            "rocAuc": 0.761432,
            "prAuc": 0.744676,
            "precision": 0.681296,
            "recall": 0.658616,
            "f1": 0.669764,
            "recallAtPrecision70": 0.376632,
            "recallAtPrecision80": 0.349217
          },
          "DDD": {
            "learners": 5004,
            "positives": 2396,
            "baseRate": 0.478817,
            "rocAuc": 0.839617,
            "prAuc": 0.8432,
            "precision": 0.870007,
            "recall": 0.536311,
            "f1": 0.663568,
            "recallAtPrecision70": 0.823456,
            "recallAtPrecision80": 0.669032
          }
        }
      },
      {
        "day": 90,
        "pooled": {
          "learners": 14668,
          "positives": 6096,
          "baseRate": 0.415599,
          "rocAuc": 0.818623,
          "prAuc": 0.789268,
          "precision": 0.679293,
          "recall": 0.711942,
          "f1": 0.695234,
          "recallAtPrecision70": 0.6729,
          "recallAtPrecision80": 0.500492
        },
        "byGroup": {
          "AAA": {
            "learners": 693,
            "positives": 162,
            "baseRate": 0.233766,
            "rocAuc": 0.797232,
            "prAuc": 0.622992,
            "precision": 0.398754,
            "recall": 0.790123,
            "f1": 0.530021,
            "recallAtPrecision70": 0.376543,
            "recallAtPrecision80": 0.351852
          },
          "BBB": {
            "learners": 6089,
            "positives": 2335,
            "baseRate": 0.383478,
            "rocAuc": 0.818058,
            "prAuc": 0.780414,
            "precision": 0.622939,
            "recall": 0.7606,
            "f1": 0.684921,
            "recallAtPrecision70": 0.646253,
            "recallAtPrecision80": 0.519486
          },
          "CCC": {
            "learners": 3054,
            "positives": 1376,
            "baseRate": 0.450557,
            "rocAuc": 0.80713,
            "prAuc": 0.795921,
            "precision": 0.660252,
            "recall": 0.72311,
            "f1": 0.690253,
            "recallAtPrecision70": 0.595203,
            "recallAtPrecision80": 0.509448
          },
          "DDD": {
            "learners": 4832,
            "positives": 2223,
            "baseRate": 0.460058,
            "rocAuc": 0.865784,
            "prAuc": 0.86306,
            "precision": 0.84269,
            "recall": 0.648223,
            "f1": 0.732774,
            "recallAtPrecision70": 0.839406,
            "recallAtPrecision80": 0.735043
          }
        }
      }
    ]
  }
};
