#include "modelpages.h"

#include "appearance.h"
#include "elidedlabel.h"
#include "models/texttablemodel.h"
#include "registry/modelregistry.h"
#include "theme.h"
#include "viewutil.h"
#include "workspace/workspace.h"

#include <QAction>
#include <QApplication>
#include <QFontDatabase>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPainter>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStackedWidget>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace kiln {

namespace {

constexpr int kChipPadding = 6;
constexpr int kChipGap = 4;
constexpr int kCategoriesShown = 12;
constexpr int kColumnPadding = 16;

QColor chipColor(const QString &name, const QPalette &palette)
{
    if (name == QLatin1String("champion"))
        return theme::accent(palette);
    if (name == QLatin1String("challenger"))
        return theme::validationLine(palette);
    return theme::mutedText(palette);
}

/// An input example's value as its table cell, as text: numbers exact (these are inputs,
/// not scores, so not rounded to five digits), a missing value empty.
QString exampleCell(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Double:
        return QString::number(value.toDouble(), 'g', 15);
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    default:
        return {};
    }
}

/// Tags as the pages show them under a title: "team: risk · stage: production".
QString tagsLine(const QList<QPair<QString, QString>> &tags)
{
    QStringList parts;
    parts.reserve(tags.size());
    for (const auto &[key, value] : tags)
        parts << QStringLiteral("%1: %2").arg(key, value);
    return parts.join(QStringLiteral(" · "));
}

/// A secondary line of plain text, in the muted colour.
void setUpMutedLabel(QLabel *label, const QString &objectName)
{
    label->setObjectName(objectName);
    label->setTextFormat(Qt::PlainText);
    label->setWordWrap(true);
    appearance::setTextRole(label, appearance::TextRole::Muted);
}

QString taskText(TaskKind kind)
{
    switch (kind) {
    case TaskKind::BinaryClassification:
        return ModelSignaturePage::tr("Binary classification");
    case TaskKind::MulticlassClassification:
        return ModelSignaturePage::tr("Multiclass classification");
    case TaskKind::Regression:
        return ModelSignaturePage::tr("Regression");
    }
    return {};
}

} // namespace

// ---------------------------------------------------------------------------------------------
// ChipDelegate

ChipDelegate::ChipDelegate(int listRole, QObject *parent)
    : QStyledItemDelegate(parent)
    , m_listRole(listRole)
{ }

void ChipDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem item(option);
    initStyleOption(&item, index);
    item.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &item, painter, widget); // background and selection

    const QStringList names = index.data(m_listRole).toStringList();
    if (names.isEmpty())
        return;
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setFont(item.font);
    const QFontMetrics metrics(item.font);
    const int height = metrics.height() + 2;
    const QRect area = item.rect.adjusted(kChipGap, 0, -kChipGap, 0);
    int x = area.left();
    const int y = area.center().y() - height / 2 + 1;
    for (const QString &name : names) {
        const int width = metrics.horizontalAdvance(name) + 2 * kChipPadding;
        if (x + width > area.right()) {
            painter->setPen(item.palette.color(QPalette::Text));
            painter->drawText(QRect(x, y, area.right() - x, height), Qt::AlignLeft | Qt::AlignVCenter,
                              QStringLiteral("…"));
            break;
        }
        const QRectF chip(x, y, width, height);
        painter->setPen(Qt::NoPen);
        painter->setBrush(chipColor(name, item.palette));
        painter->drawRoundedRect(chip, height / 2.0, height / 2.0);
        // The base colour: white on the light palette's chips, near black on the dark one's.
        painter->setPen(item.palette.color(QPalette::Base));
        painter->drawText(chip, Qt::AlignCenter, name);
        x += width + kChipGap;
    }
    painter->restore();
}

QSize ChipDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const QFontMetrics metrics(option.font);
    int width = 2 * kChipGap;
    const QStringList names = index.data(m_listRole).toStringList();
    for (const QString &name : names)
        width += metrics.horizontalAdvance(name) + 2 * kChipPadding + kChipGap;
    return {width, metrics.height() + 8};
}

// ---------------------------------------------------------------------------------------------
// ModelHeader

ModelHeader::ModelHeader(QWidget *parent)
    : QWidget(parent)
    , m_name(new ElidedLabel(this))
    , m_description(new QLabel(this))
    , m_tags(new QLabel(this))
    , m_edit(new QPushButton(tr("Edit…"), this))
{
    setObjectName(QStringLiteral("modelHeader"));
    m_name->setObjectName(QStringLiteral("modelNameLabel"));
    m_name->setTextFormat(Qt::PlainText);
    m_name->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont nameFont = m_name->font();
    nameFont.setPointSizeF(nameFont.pointSizeF() * 1.4);
    nameFont.setBold(true);
    m_name->setFont(nameFont);
    m_description->setObjectName(QStringLiteral("modelDescriptionLabel"));
    m_description->setTextFormat(Qt::PlainText);
    m_description->setWordWrap(true);
    setUpMutedLabel(m_tags, QStringLiteral("modelTagsLabel"));
    m_edit->setObjectName(QStringLiteral("editModelButton"));
    m_edit->setToolTip(tr("Edit the model's description and tags"));
    connect(m_edit, &QPushButton::clicked, this, &ModelHeader::editRequested);

    auto *nameRow = new QHBoxLayout;
    nameRow->addWidget(m_name, 1);
    nameRow->addWidget(m_edit);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addLayout(nameRow);
    layout->addWidget(m_description);
    layout->addWidget(m_tags);
    setModel(nullptr);
}

ModelHeader::~ModelHeader() = default;

void ModelHeader::setModel(const RegisteredModel *model)
{
    m_name->setFullText(model ? model->name : QString());
    m_edit->setEnabled(model != nullptr);
    const bool described = model && !model->description.isEmpty();
    m_description->setText(described ? model->description : tr("No description: Edit… to add one."));
    appearance::setTextRole(m_description, described ? appearance::TextRole::Normal : appearance::TextRole::Muted);
    m_tags->setText(model ? tagsLine(model->tags) : QString());
    m_tags->setVisible(!m_tags->text().isEmpty());
}

// ---------------------------------------------------------------------------------------------
// ModelCardPage

ModelCardPage::ModelCardPage(QWidget *parent)
    : QWidget(parent)
    , m_stack(new QStackedWidget(this))
    , m_browser(new QTextBrowser(this))
    , m_editor(new QPlainTextEdit(this))
    , m_edit(new QPushButton(tr("Edit"), this))
    , m_save(new QPushButton(tr("Save"), this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_tags(new QLabel(this))
    , m_error(new QLabel(this))
    , m_saveAction(new QAction(tr("Save Card"), this))
{
    setObjectName(QStringLiteral("modelCardPage"));
    setUpMutedLabel(m_tags, QStringLiteral("versionTagsLabel"));
    m_tags->setToolTip(tr("This version's tags: Edit Version Tags… (Ctrl+Shift+T) changes them"));
    m_browser->setObjectName(QStringLiteral("cardBrowser"));
    m_browser->setOpenExternalLinks(true);
    m_browser->setFrameShape(QFrame::NoFrame);
    m_editor->setObjectName(QStringLiteral("cardEditor"));
    m_editor->setTabChangesFocus(false);
    m_editor->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_editor->setFont(mono);
    m_edit->setObjectName(QStringLiteral("editCardButton"));
    m_edit->setToolTip(tr("Edit the card's Markdown"));
    m_save->setObjectName(QStringLiteral("saveCardButton"));
    m_save->setToolTip(tr("Save the card (Ctrl+S)"));
    m_cancel->setObjectName(QStringLiteral("cancelCardButton"));
    m_cancel->setToolTip(tr("Drop the changes (Esc)"));
    m_error->setObjectName(QStringLiteral("cardError"));
    m_error->setWordWrap(true);
    appearance::setTextRole(m_error, appearance::TextRole::Error);
    m_error->hide();

    // Ctrl+S and Esc only while the editor has the focus: the window may give them other uses.
    m_saveAction->setObjectName(QStringLiteral("saveCardAction"));
    m_saveAction->setShortcut(QKeySequence::Save);
    m_saveAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_editor->addAction(m_saveAction);
    auto *cancelAction = new QAction(tr("Cancel Editing"), this);
    cancelAction->setShortcut(QKeySequence(Qt::Key_Escape));
    cancelAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_editor->addAction(cancelAction);
    connect(m_saveAction, &QAction::triggered, this, &ModelCardPage::save);
    connect(cancelAction, &QAction::triggered, this, &ModelCardPage::cancel);
    connect(m_edit, &QPushButton::clicked, this, &ModelCardPage::edit);
    connect(m_save, &QPushButton::clicked, this, &ModelCardPage::save);
    connect(m_cancel, &QPushButton::clicked, this, &ModelCardPage::cancel);

    m_stack->addWidget(m_browser);
    m_stack->addWidget(m_editor);
    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(8, 6, 8, 0);
    bar->addWidget(m_tags, 1);
    bar->addWidget(m_error, 1);
    bar->addStretch(0);
    bar->addWidget(m_edit);
    bar->addWidget(m_save);
    bar->addWidget(m_cancel);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_stack, 1);
    clear();
}

ModelCardPage::~ModelCardPage() = default;

void ModelCardPage::setWorkspace(Workspace *workspace)
{
    m_workspace = workspace;
    clear();
}

void ModelCardPage::setVersion(const ModelVersion &version)
{
    const bool same = version.modelName == m_modelName && version.version == m_version;
    m_modelName = version.modelName;
    m_version = version.version;
    m_card = version.card;
    m_browser->setMarkdown(m_card);
    m_tags->setText(tagsLine(version.tags));
    // A refresh of the version being edited keeps the edit; another version ends it.
    if (!same && isEditing())
        cancel();
    updateButtons();
}

void ModelCardPage::clear()
{
    m_modelName.clear();
    m_version = 0;
    m_card.clear();
    m_tags->clear();
    m_browser->clear();
    m_editor->clear();
    m_stack->setCurrentWidget(m_browser);
    m_error->hide();
    updateButtons();
}

bool ModelCardPage::isEditing() const
{
    return m_stack->currentWidget() == m_editor;
}

void ModelCardPage::edit()
{
    if (m_version == 0 || isEditing())
        return;
    m_editor->setPlainText(m_card);
    m_stack->setCurrentWidget(m_editor);
    m_editor->setFocus();
    updateButtons();
}

bool ModelCardPage::save()
{
    if (!isEditing() || !m_workspace)
        return false;
    const QString markdown = m_editor->toPlainText();
    const Status status = ModelRegistry(*m_workspace).setCard(m_modelName, m_version, markdown);
    if (!status) {
        const QString message
            = tr("The card of %1@%2 was not saved: %3").arg(m_modelName).arg(m_version).arg(status.errorMessage());
        m_error->setText(message);
        m_error->show();
        Q_EMIT errorOccurred(message);
        return false;
    }
    m_card = markdown;
    m_browser->setMarkdown(m_card);
    m_stack->setCurrentWidget(m_browser);
    m_error->hide();
    updateButtons();
    Q_EMIT cardSaved(m_modelName, m_version);
    return true;
}

void ModelCardPage::cancel()
{
    if (!isEditing())
        return;
    m_stack->setCurrentWidget(m_browser);
    m_error->hide();
    updateButtons();
}

void ModelCardPage::updateButtons()
{
    const bool editing = isEditing();
    m_edit->setVisible(!editing);
    m_edit->setEnabled(m_version != 0);
    m_save->setVisible(editing);
    m_cancel->setVisible(editing);
}

// ---------------------------------------------------------------------------------------------
// ModelSignaturePage

ModelSignaturePage::ModelSignaturePage(QWidget *parent)
    : QWidget(parent)
    , m_inputs(new TextTableModel(this))
    , m_outputs(new TextTableModel(this))
    , m_example(new TextTableModel(this))
    , m_summary(new QLabel(this))
{
    setObjectName(QStringLiteral("modelSignaturePage"));
    m_inputs->setHeader({tr("Column"), tr("Type"), tr("Categories")});
    m_outputs->setHeader({tr("Output"), tr("Meaning")});
    m_summary->setObjectName(QStringLiteral("signatureSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::PlainText);

    QTableView *inputs = viewutil::newReadOnlyTable(m_inputs, QStringLiteral("signatureInputsTable"), this);
    inputs->setColumnWidth(0, 160);
    inputs->setColumnWidth(1, 110);
    QTableView *outputs = viewutil::newReadOnlyTable(m_outputs, QStringLiteral("signatureOutputsTable"), this);
    outputs->setColumnWidth(0, 120);
    m_exampleView = viewutil::newReadOnlyTable(m_example, QStringLiteral("inputExampleTable"), this);
    QTableView *example = m_exampleView;
    example->horizontalHeader()->setStretchLastSection(false);
    example->setToolTip(tr("The first training rows of the input columns, kept with the version"));

    auto *top = new QHBoxLayout;
    top->addWidget(viewutil::newGroupBox(tr("Inputs"), inputs, this), 3);
    top->addWidget(viewutil::newGroupBox(tr("Output"), outputs, this), 2);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->addWidget(m_summary);
    layout->addLayout(top, 3);
    layout->addWidget(viewutil::newGroupBox(tr("Input example"), example, this), 2);
}

ModelSignaturePage::~ModelSignaturePage() = default;

void ModelSignaturePage::setVersion(const ModelVersion &version)
{
    const ModelSignature &signature = version.signature;
    QList<QVariantList> inputs;
    QList<QStringList> inputTips;
    for (const SignatureColumn &column : signature.inputs) {
        QString categories = QStringList(column.categories.mid(0, kCategoriesShown)).join(QStringLiteral(", "));
        if (column.categories.size() > kCategoriesShown)
            categories += tr(", … (%1 in all)").arg(column.categories.size());
        if (column.otherCategories)
            categories += tr("; any other value is read as “other”");
        inputs.append({column.name, columnTypeName(column.type), categories});
        inputTips.append({column.name, columnTypeName(column.type), column.categories.join(QStringLiteral(", "))});
    }
    m_inputs->setRows(inputs);
    m_inputs->setToolTips(inputTips);

    QList<QVariantList> outputs;
    const QStringList names = signature.outputNames();
    for (const QString &name : names) {
        QString meaning;
        if (name == QLatin1String("label"))
            meaning = tr("the predicted %1 (one of %2)")
                          .arg(signature.target, signature.classes.join(QStringLiteral(", ")));
        else if (name.startsWith(QLatin1String("p_")))
            meaning = tr("the probability of %1").arg(name.mid(2));
        else
            meaning = tr("the predicted %1").arg(signature.target);
        outputs.append({name, meaning});
    }
    m_outputs->setRows(outputs);

    QStringList header;
    for (const SignatureColumn &column : signature.inputs)
        header << column.name;
    m_example->setHeader(header);
    QList<QVariantList> rows;
    for (const auto &record : version.inputExample) {
        const QJsonObject object = record.toObject();
        QVariantList row;
        for (const QString &column : std::as_const(header))
            row.append(exampleCell(object.value(column)));
        rows.append(row);
    }
    m_example->setRows(rows);

    const int columns = int(signature.inputs.size());
    const int examples = int(version.inputExample.size());
    m_summary->setText(tr("%1 of %2 (%3) from %4; %5.")
                           .arg(taskText(signature.task), signature.target, columnTypeName(signature.targetType),
                                columns == 1 ? tr("1 input column") : tr("%1 input columns").arg(columns),
                                examples == 0       ? tr("no input example")
                                    : examples == 1 ? tr("1 example row")
                                                    : tr("%1 example rows").arg(examples)));
    m_exampleView->resizeColumnsToContents();
    for (int column = 0; column < m_example->columnCount(); ++column)
        m_exampleView->setColumnWidth(column, m_exampleView->columnWidth(column) + kColumnPadding);
}

void ModelSignaturePage::clear()
{
    m_inputs->clear();
    m_outputs->clear();
    m_example->setHeader({});
    m_example->clear();
    m_summary->clear();
}

} // namespace kiln
