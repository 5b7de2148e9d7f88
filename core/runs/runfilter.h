#pragma once

#include "runs/runtable.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace kiln {

/// A search over runs in MLflow's syntax:
///
///     metrics.auc > 0.9 and params.max_depth = '6' and tags.team LIKE 'vision%'
///
/// Identifiers: `metrics.KEY` (metric, metric., m.), `params.KEY` (param., p.), `tags.KEY`
/// (tag., t.), `attributes.NAME` (attribute., attr., run.) with MLflow's attribute names
/// (status, run_name, run_id, start_time, end_time) and Kiln's (id, experiment, source,
/// dataset, parent_id, created, duration). A key with spaces, dots or other characters is
/// quoted: metrics.`val loss`, params."learning rate". Operators: = != <> > >= < <= on numbers
/// and strings, LIKE and ILIKE (% and _ wildcards) on strings, IN ('a', 'b') and NOT IN,
/// IS NULL and IS NOT NULL; keywords in any case; AND joins terms (OR and parentheses too,
/// AND binding tighter, as a Kiln extension). Values: 'single' or "double" quoted strings and
/// numbers. A param or tag compared with a number compares numerically when its value is
/// one (MLflow compares params as strings: '10' < '9'; Kiln does what a user means).
/// A run without the key never matches a comparison (MLflow's rule).
class RunFilter final
{
public:
    RunFilter(); ///< the empty filter: every run matches

    /// Parses `expression`; a blank one is the empty filter. Check isValid().
    static RunFilter parse(const QString &expression);

    bool isValid() const { return m_errorPosition < 0; }
    bool isEmpty() const;
    QString expression() const { return m_expression; }
    /// Where parsing failed: a 0-based character offset into the expression (the offending
    /// token's start, or its length at an unexpected end); -1 when valid.
    int errorPosition() const { return m_errorPosition; }
    /// "expected a value after '>'", without the position.
    QString errorMessage() const { return m_errorMessage; }
    /// "column 17: expected a value after '>'" (columns counted from 1, as editors do).
    QString errorText() const;

    /// The rows of `table` that match, in table order (every row for the empty filter).
    std::vector<int> matchingRows(const RunTable &table) const;
    /// Keys the filter names that no run of `table` has ("no run has metrics.acc"): a filter
    /// on a misspelt key matches nothing, and the user should know why.
    QStringList unknownKeys(const RunTable &table) const;

    struct Node; ///< the parsed expression (private to the implementation)

private:
    QString m_expression;
    int m_errorPosition = -1;
    QString m_errorMessage;
    std::shared_ptr<const Node> m_root;
};

/// An ordering in MLflow's order_by syntax: "metrics.auc DESC", "attributes.start_time",
/// "params.`learning rate` ASC". Min and max of a metric: "metrics.auc.min" is not a thing in
/// MLflow, so Kiln reads a trailing " MIN"/" MAX" before the direction: "metrics.loss MIN ASC".
struct RunOrder
{
    int column = -1;
    Qt::SortOrder order = Qt::AscendingOrder;
};
/// Fails with "column N: …" for bad syntax, "no run has params.x" for an unknown key.
Expected<RunOrder> parseRunOrder(const QString &expression, const RunTable &table);

} // namespace kiln
