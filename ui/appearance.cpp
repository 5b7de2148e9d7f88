#include "appearance.h"

#include "theme.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QEvent>
#include <QMenu>
#include <QPointer>
#include <QSettings>
#include <QStyle>
#include <QStyleFactory>
#include <QWidget>

namespace kiln::appearance {

namespace {

const QString kModeKey = QStringLiteral("appearance/mode");

QString modeName(Mode mode)
{
    switch (mode) {
    case Mode::Light:
        return QStringLiteral("light");
    case Mode::Dark:
        return QStringLiteral("dark");
    case Mode::System:
        break;
    }
    return QStringLiteral("system");
}

/// The style the platform chose, kept before Light or Dark replaces it with Fusion.
QString &platformStyleName()
{
    static QString name;
    return name;
}

/// Qt 6.4 tells only the application object of a new application palette (widgets learn of it
/// only when the platform theme set class palettes): this tells every widget, as Qt does for a
/// class palette, so that each re-resolves its palette and gets QEvent::PaletteChange. It
/// relays Kiln's own switches and, in System mode, the desktop's.
class PaletteRelay final : public QObject
{
public:
    using QObject::QObject;

    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (watched == qApp && event->type() == QEvent::ApplicationPaletteChange) {
            QEvent changed(QEvent::ApplicationPaletteChange);
            const QWidgetList widgets = QApplication::allWidgets();
            for (QWidget *widget : widgets)
                QCoreApplication::sendEvent(widget, &changed);
        }
        return QObject::eventFilter(watched, event);
    }
};

void relayPaletteChanges()
{
    static QPointer<PaletteRelay> relay; // owned by the application, gone with it
    if (!relay) {
        relay = new PaletteRelay(qApp);
        qApp->installEventFilter(relay);
    }
}

void apply(Mode mode)
{
    relayPaletteChanges();
    if (platformStyleName().isEmpty())
        platformStyleName() = QApplication::style()->name();
    const QString wanted = mode == Mode::System ? platformStyleName() : QStringLiteral("fusion");
    if (QApplication::style()->name().compare(wanted, Qt::CaseInsensitive) != 0)
        QApplication::setStyle(wanted);
    // An empty palette (no role set) hands the palette back to the platform theme, which then
    // follows the desktop's changes again.
    QApplication::setPalette(mode == Mode::Light ? lightPalette() : mode == Mode::Dark ? darkPalette() : QPalette());
}

/// Keeps a widget's text colour right for its role when the palette changes: a style sheet
/// holds a colour, not a palette role.
class TextRoleKeeper final : public QObject
{
public:
    TextRoleKeeper(QWidget *widget, TextRole role)
        : QObject(widget)
        , m_widget(widget)
        , m_role(role)
    {
        widget->installEventFilter(this);
    }

    void setRole(TextRole role)
    {
        m_role = role;
        restyle();
    }

    void restyle()
    {
        QString sheet;
        if (m_role != TextRole::Normal) {
            const QPalette palette = QGuiApplication::palette();
            const QColor color = m_role == TextRole::Error ? theme::errorText(palette) : theme::mutedText(palette);
            sheet = QStringLiteral("color: %1;").arg(color.name());
        }
        if (m_widget->styleSheet() != sheet)
            m_widget->setStyleSheet(sheet);
    }

    bool eventFilter(QObject *watched, QEvent *event) override
    {
        // Restyling sets the same sheet again on the change it causes itself: a no-op.
        if (watched == m_widget
            && (event->type() == QEvent::ApplicationPaletteChange || event->type() == QEvent::PaletteChange))
            restyle();
        return QObject::eventFilter(watched, event);
    }

private:
    QWidget *m_widget;
    TextRole m_role;
};

} // namespace

Mode mode()
{
    const QString saved = QSettings().value(kModeKey).toString();
    if (saved == modeName(Mode::Light))
        return Mode::Light;
    if (saved == modeName(Mode::Dark))
        return Mode::Dark;
    return Mode::System;
}

void setMode(Mode mode)
{
    QSettings().setValue(kModeKey, modeName(mode));
    apply(mode);
}

void applySaved()
{
    relayPaletteChanges();
    const Mode saved = mode();
    // System is what Qt starts with: leave the platform's style and palette untouched.
    if (saved != Mode::System)
        apply(saved);
}

bool isDark(const QPalette &palette)
{
    return theme::isDark(palette);
}

QPalette lightPalette()
{
    QStyle *fusion = QStyleFactory::create(QStringLiteral("fusion"));
    QPalette palette = fusion ? fusion->standardPalette() : QPalette(Qt::white);
    delete fusion;
    palette.setColor(QPalette::PlaceholderText, QColor(0x6b, 0x6f, 0x78));
    return palette;
}

QPalette darkPalette()
{
    const QColor window(0x35, 0x37, 0x3c);
    const QColor text(0xe4, 0xe5, 0xe8);
    const QColor disabledText(0x80, 0x83, 0x8a);
    QPalette palette(text, window, QColor(0x4a, 0x4d, 0x54), QColor(0x1c, 0x1d, 0x21), QColor(0x29, 0x2b, 0x30), text,
                     QColor(0xff, 0xff, 0xff), QColor(0x23, 0x25, 0x29), window);
    palette.setColor(QPalette::Button, QColor(0x40, 0x43, 0x49));
    palette.setColor(QPalette::Midlight, QColor(0x42, 0x45, 0x4b));
    palette.setColor(QPalette::Shadow, QColor(0x12, 0x13, 0x15));
    palette.setColor(QPalette::AlternateBase, QColor(0x2a, 0x2c, 0x31));
    palette.setColor(QPalette::ToolTipBase, QColor(0x3a, 0x3d, 0x43));
    palette.setColor(QPalette::ToolTipText, text);
    palette.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9e, 0xa6));
    palette.setColor(QPalette::Highlight, QColor(0x3d, 0x6f, 0xa8));
    palette.setColor(QPalette::HighlightedText, QColor(0xff, 0xff, 0xff));
    palette.setColor(QPalette::Link, QColor(0x7f, 0xb2, 0xf0));
    palette.setColor(QPalette::LinkVisited, QColor(0xb4, 0x8a, 0xd8));
    palette.setColor(QPalette::BrightText, QColor(0xff, 0x8a, 0x80));
    for (const QPalette::ColorRole role :
         {QPalette::WindowText, QPalette::Text, QPalette::ButtonText, QPalette::PlaceholderText}) {
        palette.setColor(QPalette::Disabled, role, disabledText);
    }
    palette.setColor(QPalette::Disabled, QPalette::Base, window);
    palette.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x4a, 0x4d, 0x54));
    return palette;
}

QMenu *createMenu(QWidget *parent)
{
    auto *menu = new QMenu(QCoreApplication::translate("kiln::appearance", "&Appearance"), parent);
    menu->setObjectName(QStringLiteral("appearanceMenu"));
    auto *group = new QActionGroup(menu);
    group->setExclusive(true);
    const struct
    {
        Mode mode;
        const char *text;
        const char *objectName;
    } choices[] = {
        {Mode::System, QT_TRANSLATE_NOOP("kiln::appearance", "Follow &System"), "appearanceSystemAction"},
        {Mode::Light, QT_TRANSLATE_NOOP("kiln::appearance", "&Light"), "appearanceLightAction"},
        {Mode::Dark, QT_TRANSLATE_NOOP("kiln::appearance", "&Dark"), "appearanceDarkAction"},
    };
    const Mode current = mode();
    for (const auto &choice : choices) {
        QAction *action = menu->addAction(QCoreApplication::translate("kiln::appearance", choice.text));
        action->setObjectName(QLatin1String(choice.objectName));
        action->setCheckable(true);
        action->setChecked(choice.mode == current);
        group->addAction(action);
        const Mode chosen = choice.mode;
        QObject::connect(action, &QAction::triggered, menu, [chosen] { setMode(chosen); });
    }
    // Another menu (a second window) may change the mode: show the saved one when opened.
    QObject::connect(menu, &QMenu::aboutToShow, menu, [menu] {
        const QString wanted = modeName(mode());
        const QList<QAction *> actions = menu->actions();
        for (QAction *action : actions)
            action->setChecked(
                action->objectName().compare(QStringLiteral("appearance%1Action").arg(wanted), Qt::CaseInsensitive)
                == 0);
    });
    return menu;
}

void setTextRole(QWidget *widget, TextRole role)
{
    const QObjectList children = widget->children();
    for (QObject *child : children) {
        if (auto *keeper = dynamic_cast<TextRoleKeeper *>(child)) {
            keeper->setRole(role);
            return;
        }
    }
    (new TextRoleKeeper(widget, role))->restyle();
}

} // namespace kiln::appearance
