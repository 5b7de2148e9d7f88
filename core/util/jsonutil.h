#pragma once

#include <QJsonValue>
#include <QString>

namespace kiln {

/// What a JSON value holds, as an error message names it: "a number", "an array", "null";
/// "missing" for an undefined value (a key that is not there). Used where a request or a
/// manifest holds the wrong kind of value: "row 3 is a string, expected an array of values".
/// Any thread.
QString jsonTypeName(QJsonValue::Type type);

} // namespace kiln
