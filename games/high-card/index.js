// High Card: everyone gets three cards nobody else can see. Tap one to play it face up; when all
// players have played, the highest card takes the round. First to three rounds wins.
const { Game, GameNode, Colors, Shapes, ShapeUtils } = require('squish-135');

const SUITS = ['♠', '♥', '♦', '♣'];
const NAMES = { 11: 'J', 12: 'Q', 13: 'K', 14: 'A' };

class HighCard extends Game {
    static metadata() {
        return { squishVersion: '135', name: 'High Card', author: 'homegames-rs', description: 'Play your best card. Your hand is yours alone.' };
    }

    constructor() {
        super();
        this.players = {};
        this.table = new GameNode.Shape({ shapeType: Shapes.POLYGON, coordinates2d: ShapeUtils.rectangle(0, 0, 100, 100), fill: [22, 94, 54, 255] });
        this.banner = new GameNode.Text({ textInfo: { text: 'Waiting for players…', x: 50, y: 4, size: 1.8, align: 'center', color: Colors.COLORS.WHITE } });
        this.pile = new GameNode.Shape({ shapeType: Shapes.POLYGON, coordinates2d: ShapeUtils.rectangle(0, 0, 0, 0) });
        this.hands = new GameNode.Shape({ shapeType: Shapes.POLYGON, coordinates2d: ShapeUtils.rectangle(0, 0, 0, 0) });
        this.table.addChildren(this.banner, this.pile, this.hands);
        this.deck = [];
    }

    shuffledDeck() {
        const deck = [];
        for (const suit of SUITS) for (let v = 2; v <= 14; v++) deck.push({ suit, value: v });
        for (let i = deck.length - 1; i > 0; i--) {
            const j = Math.floor(Math.random() * (i + 1));
            [deck[i], deck[j]] = [deck[j], deck[i]];
        }
        return deck;
    }

    label(card) {
        return `${NAMES[card.value] || card.value}${card.suit}`;
    }

    cardNode(card, x, y, playerIds, onClick) {
        const red = card.suit === '♥' || card.suit === '♦';
        const face = new GameNode.Shape({ shapeType: Shapes.POLYGON, coordinates2d: ShapeUtils.rectangle(x, y, 10, 22), fill: Colors.COLORS.WHITE, color: Colors.COLORS.BLACK, border: 1, playerIds, onClick });
        face.addChild(new GameNode.Text({ textInfo: { text: this.label(card), x: x + 5, y: y + 8, size: 2.2, align: 'center', color: red ? Colors.COLORS.RED : Colors.COLORS.BLACK }, playerIds }));
        return face;
    }

    handleNewPlayer({ playerId, info }) {
        this.players[playerId] = { name: (info && info.name) || `player${playerId}`, hand: [], played: null, wins: 0 };
        this.deal(playerId);
        this.render();
    }

    handlePlayerDisconnect(playerId) {
        delete this.players[playerId];
        this.finishRoundIfReady();
        this.render();
    }

    deal(playerId) {
        if (this.deck.length < 3) this.deck = this.shuffledDeck();
        this.players[playerId].hand = [this.deck.pop(), this.deck.pop(), this.deck.pop()];
    }

    play(playerId, index) {
        const p = this.players[playerId];
        if (!p || p.played || !p.hand[index]) return;
        p.played = p.hand.splice(index, 1)[0];
        this.finishRoundIfReady();
        this.render();
    }

    finishRoundIfReady() {
        const ids = Object.keys(this.players);
        if (ids.length < 2 || ids.some((id) => !this.players[id].played)) return;
        const rank = (c) => c.value * 4 + SUITS.length - SUITS.indexOf(c.suit);
        const winner = ids.reduce((best, id) => (rank(this.players[id].played) > rank(this.players[best].played) ? id : best));
        this.players[winner].wins += 1;
        this.lastResult = `${this.players[winner].name} takes it with ${this.label(this.players[winner].played)}`;
        if (this.players[winner].wins >= 3) {
            this.lastResult = `${this.players[winner].name} wins the game!`;
            for (const id of ids) this.players[id].wins = 0;
        }
        for (const id of ids) {
            this.players[id].played = null;
            if (!this.players[id].hand.length) this.deal(id);
        }
    }

    render() {
        const ids = Object.keys(this.players);
        this.pile.clearChildren();
        this.hands.clearChildren();
        ids.forEach((id, i) => {
            const p = this.players[id];
            const x = 10 + i * 16;
            this.pile.addChild(new GameNode.Text({ textInfo: { text: `${p.name} (${p.wins})`, x: x + 5, y: 22, size: 1.2, align: 'center', color: Colors.COLORS.WHITE } }));
            if (p.played) this.pile.addChild(this.cardNode(p.played, x, 26, [], null));
            // The hand: drawn only for its owner.
            p.hand.forEach((card, k) => {
                this.hands.addChild(this.cardNode(card, 30 + k * 14, 68, [Number(id)], (clicker) => { if (String(clicker) === id) this.play(clicker, k); }));
            });
        });
        const waiting = ids.filter((id) => !this.players[id].played).map((id) => this.players[id].name);
        let text = ids.length < 2 ? 'Waiting for another player…' : `Waiting for: ${waiting.join(', ')}`;
        if (this.lastResult) text = `${this.lastResult}. ${text}`;
        this.banner.node.text = Object.assign({}, this.banner.node.text, { text });
        this.table.node.onStateChange();
    }

    getLayers() {
        return [{ root: this.table }];
    }
}

module.exports = HighCard;
